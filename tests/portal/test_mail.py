"""One mail helper: from a template, in the recipient's language, sent only once the change commits."""

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.services import focal_point_invite, secretariat_user_invite
from portal.mail import mail_send
from roster.consent import confirmation_request
from tests.factories import ExpertFactory, ExpertLanguageFactory

INVITATION_SUBJECT = gettext_lazy("Your account on the UNCAC expert roster")


def _invitation(language: str | None) -> None:
    mail_send(
        to="someone@example.org",
        language=language,
        subject=INVITATION_SUBJECT,
        template="accounts/invitation_email.txt",
        context={"user": {"get_full_name": "Amina", "role": "secretariat"}, "link": "https://portal.example/x/"},
    )


@pytest.mark.django_db(transaction=True)
def test_the_mail_leaves_only_when_the_transaction_commits():
    with transaction.atomic():
        _invitation("en")
        assert mail.outbox == []
    assert [message.to for message in mail.outbox] == [["someone@example.org"]]


@pytest.mark.django_db(transaction=True)
def test_no_mail_leaves_when_the_transaction_rolls_back():
    with pytest.raises(RuntimeError), transaction.atomic():
        _invitation("en")
        raise RuntimeError("the change failed after the mail was prepared")
    assert mail.outbox == []


@pytest.mark.django_db(transaction=True)
def test_an_invitation_whose_transaction_rolls_back_sends_nothing():
    with pytest.raises(RuntimeError), transaction.atomic():
        secretariat_user_invite(email="staff@example.org", language="fr")
        raise RuntimeError("rolled back")
    assert mail.outbox == []


@pytest.mark.django_db
def test_the_mail_is_in_the_recipients_language_whatever_the_senders(django_capture_on_commit_callbacks):
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        _invitation("fr")
        assert translation.get_language() == "es"  # the sender's page carries on in the sender's language
    message = mail.outbox[-1]
    assert message.subject == "Votre compte sur le fichier d'experts de la CNUCC"
    assert "Choisissez votre mot de passe" in message.body


@pytest.mark.django_db
def test_a_language_the_portal_does_not_speak_falls_back_to_the_default(django_capture_on_commit_callbacks):
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        _invitation("de")
    assert mail.outbox[-1].subject == "Your account on the UNCAC expert roster"


def test_a_subject_already_translated_is_refused():
    with pytest.raises(TypeError, match="gettext_lazy"):
        mail_send(
            to="x@example.org", language="fr", subject="Hello", template="accounts/invitation_email.txt", context={}
        )


@pytest.mark.django_db
def test_an_invited_focal_point_gets_the_invitation_in_the_language_chosen(state_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = focal_point_invite(email="fp@example.org", state_iso3=state_a.iso3, language="fr")
    assert user.language == "fr"
    assert mail.outbox[-1].subject == "Votre compte sur le fichier d'experts de la CNUCC"


@pytest.mark.django_db
def test_an_expert_is_written_to_in_the_portal_language_they_know_best(django_capture_on_commit_callbacks):
    expert = ExpertFactory(email="expert@example.org")
    ExpertLanguageFactory(expert=expert, language_id="en", level=4)
    ExpertLanguageFactory(expert=expert, language_id="fr", level=7)
    ExpertLanguageFactory(expert=expert, language_id="de", level=7)  # not a language the portal speaks
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    assert mail.outbox[-1].subject == "Veuillez confirmer votre profil dans le fichier d'experts de la CNUCC"


@pytest.mark.django_db
def test_an_expert_who_knows_no_portal_language_is_written_to_in_the_default(django_capture_on_commit_callbacks):
    expert = ExpertFactory(email="expert@example.org")
    ExpertLanguageFactory(expert=expert, language_id="de", level=7)
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    assert mail.outbox[-1].subject == "Please confirm your profile on the UNCAC expert roster"


@pytest.mark.django_db
def test_the_invitation_page_takes_the_language_the_invitation_is_written_in(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = cast.client_for("secretariat").post(
            reverse("admin:accounts_user_invite"),
            {"email": "new@example.org", "role": "focal_point", "state": "BRA", "language": "es"},
        )
    assert response.status_code == 302
    assert User.objects.get(email="new@example.org").language == "es"
    assert mail.outbox[-1].to == ["new@example.org"]
    assert mail.outbox[-1].subject == "Su cuenta en la lista de expertos de la Convención contra la Corrupción"


@pytest.mark.django_db
def test_a_password_link_is_written_in_the_account_holders_language(cast, client, django_capture_on_commit_callbacks):
    cast.owner.language = "fr"
    cast.owner.save(update_fields=["language"])
    with translation.override("es"), django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": cast.owner.email}, HTTP_ACCEPT_LANGUAGE="es")
    assert response.status_code == 302
    assert mail.outbox[-1].to == [cast.owner.email]
    assert "Pour choisir un nouveau mot de passe" in mail.outbox[-1].body
