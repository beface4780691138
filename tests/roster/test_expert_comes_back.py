"""An expert can come back: a fresh link on request, the consent given and its withdrawal, a readable data page."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import ShortlistEntry
from roster.models import Expert
from tests.factories import ExpertFactory, ExpertLanguageFactory, NeedFactory

LINK_REQUEST = reverse("expert_self:link_request")
LINK_SENT = reverse("expert_self:link_sent")
PROFILE = reverse("expert_self:profile")


@pytest.fixture
def expert(db):
    expert = ExpertFactory(given_name="Aminata", family_name="Diallo", email="Aminata.Diallo@example.org")
    ExpertLanguageFactory(expert=expert, language_id="fr", level=7)
    return expert


@pytest.fixture
def ask(django_capture_on_commit_callbacks):
    """Post the address as the expert would; the mail leaves when the transaction commits, as in production."""

    def _ask(client: Client, email: str):
        with django_capture_on_commit_callbacks(execute=True):
            return client.post(LINK_REQUEST, {"email": email})

    return _ask


def _opened_profile(client: Client) -> None:
    link = re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", mail.outbox[-1].body).group(1)
    assert client.get(link)["Location"] == PROFILE


def test_a_known_address_gets_a_fresh_link_in_the_experts_language(ask, expert):
    response = ask(Client(), "aminata.diallo@EXAMPLE.org")
    assert (response.status_code, response["Location"]) == (302, LINK_SENT)
    (message,) = mail.outbox
    assert message.to == ["Aminata.Diallo@example.org"]
    # French is the language she knows best.
    assert message.subject == "Votre lien vers votre profil dans le fichier d'experts de la CNUCC"
    assert "Vous avez demandé un nouveau lien" in message.body
    event = AuditEvent.objects.get(action=AuditAction.EXPERT_LINK_REQUEST)
    assert event.target_id == str(expert.pk)


def test_the_answer_is_the_same_whether_or_not_the_address_is_known(ask, expert):
    known, unknown = ask(Client(), expert.email), ask(Client(), "nobody@example.org")
    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert len(mail.outbox) == 1
    page = Client().get(LINK_SENT)
    assert page.status_code == 200
    assert b"If this address belongs to an expert on the roster" in page.content


def test_an_erased_expert_gets_no_link(ask, expert, cast):
    from roster.personal_data import expert_erase

    email = expert.email
    expert_erase(expert=expert, by=cast.secretariat)
    assert ask(Client(), email)["Location"] == LINK_SENT
    assert mail.outbox == []


def test_the_fresh_link_opens_the_profile_and_voids_the_earlier_one(ask, expert):
    client = Client()
    ask(client, expert.email)
    first = re.search(r"/expert/confirm/\S+/", mail.outbox[-1].body).group(0)
    ask(client, expert.email)
    assert client.get(first).status_code == 410
    _opened_profile(client)
    assert client.get(PROFILE).status_code == 200


def test_requests_for_links_are_limited_per_address(ask, expert, settings):
    settings.PASSWORD_RESET_MAX_PER_EMAIL = 2
    client = Client()
    assert [ask(client, expert.email).status_code for _ in range(3)] == [302, 302, 429]
    assert len(mail.outbox) == 2


def test_a_malformed_address_is_asked_again_without_any_mail(ask, expert):
    response = ask(Client(), "not an address")
    assert response.status_code == 200
    assert b"Enter a valid email address" in response.content
    assert mail.outbox == []


@pytest.mark.parametrize("method", ["put", "delete", "patch"])
def test_the_link_request_page_takes_only_get_and_post(db, method):
    assert getattr(Client(), method)(LINK_REQUEST).status_code == 405


def test_a_consenting_expert_sees_the_consent_given_and_can_withdraw_it(ask, expert):
    client = Client()
    ask(client, expert.email)
    _opened_profile(client)
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "You gave your consent on" in page
    assert "Withdraw my consent" in page
    response = client.post(reverse("expert_self:consent_refuse"), HTTP_ACCEPT_LANGUAGE="en", follow=True)
    assert "Your consent is withdrawn" in response.content.decode()
    expert.refresh_from_db()
    assert expert.consent_given_at is None
    assert AuditEvent.objects.filter(action=AuditAction.EXPERT_CONSENT_REFUSE, target_id=str(expert.pk)).exists()


def test_the_data_can_be_read_as_a_page_with_the_other_records_held_on_the_expert(ask, expert):
    need = NeedFactory()
    ShortlistEntry.objects.create(
        need=need, expert=expert, position=1, status="deployed", deployed_from=date(2027, 3, 1), note="Fine"
    )
    client = Client()
    ask(client, expert.email)
    _opened_profile(client)
    response = client.post(reverse("expert_self:data_export"), {"format": "html"}, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/html")
    page = response.content.decode()
    assert "Everything the roster holds on you" in page
    assert "Aminata" in page and "Shortlist entries" in page and "1 March 2027" in page
    assert AuditEvent.objects.filter(action=AuditAction.EXPERT_DATA_EXPORT, target_id=str(expert.pk)).exists()


def test_the_json_file_holds_the_other_records_too(ask, expert):
    ShortlistEntry.objects.create(need=NeedFactory(), expert=expert, position=1, note="Speaks Wolof")
    client = Client()
    ask(client, expert.email)
    _opened_profile(client)
    response = client.post(reverse("expert_self:data_export"), {"format": "json"})
    assert response["Content-Type"].startswith("application/json")
    (row,) = response.json()["other_records"]["matching.shortlistentry"]
    assert row["note"] == "Speaks Wolof" and row["status"] == "proposed"
    assert "expert_id" not in row and "created_by_id" not in row and "version" not in row


def test_an_expert_without_consent_sees_no_withdraw_button(ask, db):
    expert = ExpertFactory(status=Expert.Status.SUBMITTED, consent_given_at=None, consent_text_version="")
    client = Client()
    ask(client, expert.email)
    _opened_profile(client)
    page = client.get(PROFILE, HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Withdraw my consent" not in page and "I refuse consent" in page
