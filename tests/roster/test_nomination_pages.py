"""The nomination pages as a focal point uses them: nominate, save, submit, edit, withdraw, confirm."""

import pytest
from django.core import mail
from django.urls import reverse

from audit.models import AuditEvent
from roster.models import Expert
from tests.factories import (
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    country,
    nomination_form_data,
)

pytestmark = pytest.mark.django_db
S = Expert.Status


def _edit_data(expert: Expert, **overrides) -> dict:
    return nomination_form_data(**{"profile-version": str(expert.version), "action": "save", **overrides})


def test_the_nominate_page_offers_every_section_of_the_cv_template(cast):
    body = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    for legend in (
        "Identity and contact",
        "Current post",
        "Languages",
        "Expertise in UNCAC articles",
        "Employment history",
        "Education",
        "Technical assistance experience",
        "Availability",
        "CV",
    ):
        assert legend in body
    # Expertise is ticked under each chapter, as on the need form, each article with a level.
    assert "Chapter III. Criminalization and law enforcement" in body
    assert 'name="expertise-articles" value="15" id="id_expertise-article-15">' in body
    assert 'name="expertise-level-15" id="id_expertise-level-15"' in body
    assert "Save draft" in body and "Save and submit for validation" in body
    assert "Nominating State" not in body  # a focal point never chooses it


def test_saving_a_draft_creates_the_expert_with_its_sections_and_shows_it(cast):
    response = cast.client_for("owner").post(reverse("roster:expert_nominate"), nomination_form_data())
    expert = Expert.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("roster:expert_detail", args=[expert.pk])
    assert expert.status == S.DRAFT and expert.nominating_state_id == "KEN"
    assert sorted(expert.languages.values_list("language_id", "level")) == [("en", 5), ("es", 7)]
    assert sorted(expert.expertise.values_list("article_id", flat=True)) == [15, 16, 46]
    assert sorted(expert.countries_worked_in.values_list("pk", flat=True)) == ["TZA", "UGA"]
    assert expert.employment.get().position == "Judge" and not expert.education.exists()
    assert expert.on_site and not expert.remote
    assert not mail.outbox


def test_a_posted_nominating_state_is_ignored_for_a_focal_point(cast):
    cast.client_for("owner").post(
        reverse("roster:expert_nominate"), nomination_form_data(**{"profile-nominating_state": "FRA"})
    )
    assert Expert.objects.get().nominating_state_id == "KEN"


def test_the_secretariat_chooses_the_nominating_state(cast):
    client = cast.client_for("secretariat")
    assert "Nominating State" in client.get(reverse("roster:expert_nominate")).content.decode()
    response = client.post(reverse("roster:expert_nominate"), nomination_form_data())
    assert response.status_code == 400 and "This field is required." in response.content.decode()
    client.post(reverse("roster:expert_nominate"), nomination_form_data(**{"profile-nominating_state": "FRA"}))
    assert Expert.objects.get().nominating_state_id == "FRA"


def test_submit_from_the_form_sends_it_for_validation_and_mails_the_expert(cast, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client = cast.client_for("owner")
        response = client.post(reverse("roster:expert_nominate"), nomination_form_data(action="submit"), follow=True)
    expert = Expert.objects.get()
    assert expert.status == S.SUBMITTED
    body = response.content.decode()
    # "Save and submit" says one thing: saved and submitted, not "saved as a draft" beside "submitted".
    assert "Saved and submitted to the secretariat for validation" in body and "saved as a draft" not in body
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["jose.ramirez@example.org"]
    actions = list(AuditEvent.objects.order_by("id").values_list("action", flat=True))
    assert actions == ["expert.nominate", "expert.submit"]


def test_submitting_without_an_article_keeps_the_draft_and_says_what_is_missing(cast):
    data = nomination_form_data(action="submit")
    data.pop("expertise-articles")
    response = cast.client_for("owner").post(reverse("roster:expert_nominate"), data, follow=True)
    assert Expert.objects.get().status == S.DRAFT
    assert "Add at least one language and one UNCAC article" in response.content.decode()


def test_bad_input_shows_every_error_and_keeps_what_was_typed(cast):
    data = nomination_form_data(
        **{
            "profile-email": "not-an-email",
            "languages-1-language": "es",
            "expertise-level-16": "",
            "profile-available_from": "2027-05-01",
            "profile-available_until": "2027-01-01",
        }
    )
    response = cast.client_for("owner").post(reverse("roster:expert_nominate"), data)
    body = response.content.decode()
    assert response.status_code == 400 and not Expert.objects.exists()
    assert "Enter a valid email address." in body
    assert "This language is already listed." in body
    assert "The end of availability must not come before its start." in body
    assert "Choose a level for article 16." in body
    assert body.count('role="alert"') >= 4
    assert "Ramírez" in body and 'value="not-an-email"' in body


def test_an_article_ticked_without_a_level_is_an_error_and_a_level_without_a_tick_is_ignored(cast):
    data = nomination_form_data(**{"expertise-level-16": "", "expertise-level-30": "2"})
    body = cast.client_for("owner").post(reverse("roster:expert_nominate"), data).content.decode()
    assert "Choose a level for article 16." in body and not Expert.objects.exists()
    data = nomination_form_data(**{"expertise-level-30": "2"})
    cast.client_for("owner").post(reverse("roster:expert_nominate"), data)
    assert sorted(Expert.objects.get().expertise.values_list("article_id", "level")) == [(15, 3), (16, 2), (46, 1)]


def test_editing_shows_the_current_values_and_saves_a_new_version(cast):
    client = cast.client_for("owner")
    client.post(reverse("roster:expert_nominate"), nomination_form_data())
    expert = Expert.objects.get()
    page = client.get(reverse("roster:expert_edit", args=[expert.pk])).content.decode()
    assert 'value="Ramírez"' in page and 'name="profile-version" value="1"' in page
    assert 'value="15" id="id_expertise-article-15" checked>' in page
    assert '<option value="3" selected>Expert</option>' in page
    data = _edit_data(expert, **{"profile-family_name": "Ramírez Soto"})
    response = client.post(reverse("roster:expert_edit", args=[expert.pk]), data)
    assert response.status_code == 302
    expert.refresh_from_db()
    assert expert.family_name == "Ramírez Soto" and expert.version == 2 and expert.name_key == "jose ramirez soto"


def test_a_row_ticked_delete_is_removed(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.DRAFT)
    ExpertLanguageFactory(expert=expert, language_id="en", level=6)
    ExpertLanguageFactory(expert=expert, language_id="fr", level=3)
    data = _edit_data(
        expert,
        **{
            "languages-TOTAL_FORMS": "4",
            "languages-INITIAL_FORMS": "2",
            "languages-0-language": "en",
            "languages-0-level": "6",
            "languages-1-language": "fr",
            "languages-1-level": "3",
            "languages-1-DELETE": "on",
        },
    )
    response = cast.client_for("owner").post(reverse("roster:expert_edit", args=[expert.pk]), data)
    assert response.status_code == 302
    assert list(expert.languages.values_list("language_id", flat=True)) == ["en"]


def test_a_second_save_over_a_stale_version_is_refused_and_shows_the_users_values(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.DRAFT, phone="+254 1")
    owner, colleague = cast.client_for("owner"), cast.client_for("colleague_same_state")
    stale = _edit_data(expert, **{"profile-phone": "+254 owner's number"})
    colleague.post(reverse("roster:expert_edit", args=[expert.pk]), _edit_data(expert, **{"profile-phone": "+254 2"}))
    response = owner.post(reverse("roster:expert_edit", args=[expert.pk]), stale)
    body = response.content.decode()
    assert response.status_code == 409
    assert "Someone else changed this profile after you opened it; your changes were not saved." in body
    assert "+254 owner&#x27;s number" in body  # the user's own values, not lost
    expert.refresh_from_db()
    assert expert.phone == "+254 2" and expert.version == 2
    # Having seen the message, the user may save deliberately over the newer version.
    assert 'name="profile-version" value="2"' in body


def test_editing_an_active_expert_says_it_stays_on_the_roster(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.ACTIVE)
    client = cast.client_for("owner")
    page = client.get(reverse("roster:expert_edit", args=[expert.pk])).content.decode()
    assert "stays on the roster meanwhile" in page
    response = client.post(reverse("roster:expert_edit", args=[expert.pk]), _edit_data(expert), follow=True)
    expert.refresh_from_db()
    assert expert.status == S.ACTIVE and expert.revalidation_pending
    assert "stays on the roster while the secretariat validates them" in response.content.decode()


def test_a_withdrawn_profile_is_not_editable(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.WITHDRAWN)
    response = cast.client_for("owner").get(reverse("roster:expert_edit", args=[expert.pk]), follow=True)
    assert "cannot be edited" in response.content.decode()
    assert response.redirect_chain[-1][0] == reverse("roster:expert_detail", args=[expert.pk])


def test_withdraw_asks_first_then_withdraws_with_the_reason(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.ACTIVE)
    client = cast.client_for("colleague_same_state")
    page = client.get(reverse("roster:expert_withdraw", args=[expert.pk])).content.decode()
    assert "Withdraw" in page and expert.given_name in page
    client.post(reverse("roster:expert_withdraw", args=[expert.pk]), {"reason": "Took up a UN post"})
    expert.refresh_from_db()
    assert expert.status == S.WITHDRAWN
    assert AuditEvent.objects.get(action="expert.withdraw").details["reason"] == "Took up a UN post"


def test_confirm_still_current_from_the_detail_page(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=S.ACTIVE, last_confirmed_at=None)
    response = cast.client_for("owner").post(reverse("roster:expert_confirm", args=[expert.pk]), follow=True)
    expert.refresh_from_db()
    assert expert.last_confirmed_at is not None
    assert "confirmed as current" in response.content.decode()


def test_detail_flags_a_duplicate_of_the_same_state_with_a_link(cast):
    first = ExpertFactory(nominating_state=country("KEN"), given_name="José", family_name="Ramírez")
    cast.client_for("owner").post(reverse("roster:expert_nominate"), nomination_form_data())
    second = Expert.objects.exclude(pk=first.pk).get()
    body = cast.client_for("owner").get(reverse("roster:expert_detail", args=[second.pk])).content.decode()
    assert "Possible duplicate." in body
    assert f'href="{reverse("roster:expert_detail", args=[first.pk])}"' in body
    assert "another State" not in body
    assert Expert.objects.count() == 2  # nothing merged


def test_detail_tells_a_focal_point_nothing_of_another_states_matching_record(cast):
    # Even a bare "a duplicate exists elsewhere" would tell anyone typing an e-mail address whether that
    # person is on the roster; the audit row and the secretariat's view carry the match instead.
    theirs = ExpertFactory(
        nominating_state=country("FRA"),
        nationality=country("KEN"),
        email="jose.ramirez@example.org",
        given_name="Pepe",
        family_name="Secret-Family-Name",
        phone="+33 1 secret",
    )
    cast.client_for("owner").post(reverse("roster:expert_nominate"), nomination_form_data())
    mine = Expert.objects.exclude(pk=theirs.pk).get()
    body = cast.client_for("owner").get(reverse("roster:expert_detail", args=[mine.pk])).content.decode()
    their_link = reverse("roster:expert_detail", args=[theirs.pk])
    for secret in (
        "Possible duplicate",
        "another State",
        "Secret-Family-Name",
        "Pepe",
        "+33 1 secret",
        "France",
        f'href="{their_link}"',
    ):
        assert secret not in body
    assert AuditEvent.objects.get(action="expert.nominate").details["possible_duplicates"] == [theirs.pk]
    # The secretariat sees both, with the State.
    body = cast.client_for("secretariat").get(reverse("roster:expert_detail", args=[mine.pk])).content.decode()
    assert "Possible duplicate." in body and "Secret-Family-Name" in body and "France" in body


def test_detail_shows_the_secretariats_message_when_changes_are_requested(cast):
    expert = ExpertFactory(
        nominating_state=country("KEN"), status=S.CHANGES_REQUESTED, secretariat_message="Add article 46 level."
    )
    ExpertLanguageFactory(expert=expert)
    ExpertArticleFactory(expert=expert)
    body = cast.client_for("owner").get(reverse("roster:expert_detail", args=[expert.pk])).content.decode()
    assert "Add article 46 level." in body and "Submit for validation" in body
