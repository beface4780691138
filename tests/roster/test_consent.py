"""The expert's own word: the one-time link, consent, export and erasure."""

import json
import re
from datetime import date, timedelta

import pytest
from django.core import mail
from django.core.files.base import ContentFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import OneTimeToken
from accounts.tokens import TokenProblem
from audit.models import AuditEvent
from roster import services
from roster.consent import CONSENT_TEXT_VERSION, confirmation_request, confirmation_token_check
from roster.models import Education, Employment, Expert
from roster.personal_data import expert_data_export, expert_erase
from roster.selectors import expert_matchable
from tests.factories import (
    EducationFactory,
    EmploymentFactory,
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    country,
)

PROFILE = reverse("expert_self:profile")
EXPERT_POSTS = [
    "expert_self:consent_give",
    "expert_self:consent_refuse",
    "expert_self:data_export",
    "expert_self:erase",
]


def _link_path(message_body: str) -> str:
    return re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", message_body).group(1)


@pytest.fixture
def nominated(db, django_capture_on_commit_callbacks):
    """A submitted expert, not yet consented, who has just been mailed a link; returns (expert, link path)."""
    expert = ExpertFactory(
        status=Expert.Status.SUBMITTED,
        consent_given_at=None,
        consent_text_version="",
        last_confirmed_at=None,
        given_name="Wanjiru",
        family_name="Kamau",
        email="wanjiru.kamau@example.org",
        phone="+254 700 000 000",
        summary="Mutual legal assistance and asset recovery cases.",
    )
    ExpertLanguageFactory(expert=expert, language_id="en", level=7)
    ExpertLanguageFactory(expert=expert, language_id="fr", level=4)
    ExpertArticleFactory(expert=expert, article_id=46, level=3)
    ExpertArticleFactory(expert=expert, article_id=15, level=2)
    EmploymentFactory(expert=expert)
    EducationFactory(expert=expert)
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    return expert, _link_path(mail.outbox[-1].body)


def _open(client: Client, link: str) -> None:
    response = client.get(link)
    assert response.status_code == 302 and response["Location"] == PROFILE


# --- the link ----------------------------------------------------------------------------------


def test_confirmation_mail_goes_to_the_expert_with_a_link(nominated):
    expert, link = nominated
    assert mail.outbox[-1].to == [expert.email]
    assert link.startswith("/expert/confirm/")


def test_opening_the_link_shows_the_profile_as_nominated_and_the_consent_text(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    page = client.get(PROFILE).content.decode()
    assert "Wanjiru Kamau" in page and "Mutual legal assistance" in page
    assert "46. " in page and "French" in page
    assert f"Consent text, version {CONSENT_TEXT_VERSION}" in page


def test_merely_opening_the_link_does_not_use_it(nominated):
    # Mail scanners fetch links; only an action by the expert uses the link up.
    _expert, link = nominated
    _open(Client(), link)
    _open(Client(), link)


def test_a_forged_token_is_a_plain_404(nominated):
    _expert, link = nominated
    assert Client().get(link[:-3] + "xx/").status_code == 404
    assert Client().get(reverse("expert_self:confirm", kwargs={"token": "x" * 43})).status_code == 404


def test_an_expired_link_says_so(nominated):
    expert, link = nominated
    OneTimeToken.objects.update(expires_at=timezone.now(), created_at=timezone.now() - timedelta(days=30))
    response = Client().get(link)
    assert response.status_code == 410
    assert "expired" in response.content.decode()


def test_a_superseded_link_says_a_newer_one_was_sent(nominated, django_capture_on_commit_callbacks):
    expert, old_link = nominated
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    response = Client().get(old_link)
    assert response.status_code == 410
    assert "newer link" in response.content.decode()
    _open(Client(), _link_path(mail.outbox[-1].body))


def test_the_link_works_once(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    assert client.post(reverse("expert_self:consent_give"), {"consent": "on"}).status_code == 302
    used = Client().get(link)
    assert used.status_code == 410 and "already been used" in used.content.decode()


# --- the session the link opens ------------------------------------------------------------------


@pytest.mark.parametrize("decision", ["expert_self:consent_give", "expert_self:consent_refuse"])
def test_the_session_ends_when_the_link_is_used_up(nominated, decision):
    _expert, link = nominated
    client = Client()
    _open(client, link)
    response = client.post(reverse(decision), {"consent": "on"}, follow=True)
    assert response.redirect_chain[-1][0] == reverse("expert_self:done")
    assert "no longer opens your profile" in response.content.decode()
    assert client.get(PROFILE).status_code == 404
    assert client.post(reverse("expert_self:data_export")).status_code == 404


def test_the_session_ends_when_a_newer_link_is_sent(nominated, django_capture_on_commit_callbacks):
    expert, link = nominated
    client = Client()
    _open(client, link)
    assert client.get(PROFILE).status_code == 200
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    assert client.get(PROFILE).status_code == 404
    assert client.post(reverse("expert_self:consent_give"), {"consent": "on"}).status_code == 404
    expert.refresh_from_db()
    assert expert.consent_given_at is None


def test_the_session_lasts_a_few_hours_at_most_however_active(nominated, settings, monkeypatch):
    _expert, link = nominated
    client = Client()
    _open(client, link)
    opened = timezone.now()
    # Active every few minutes up to the limit: the session stays open...
    for minutes in range(0, settings.EXPERT_SESSION_MAX_HOURS * 60, 25):
        monkeypatch.setattr("django.utils.timezone.now", lambda minutes=minutes: opened + timedelta(minutes=minutes))
        assert client.get(PROFILE).status_code == 200, minutes
    # ...and ends at the limit, though the link itself has not expired.
    monkeypatch.setattr(
        "django.utils.timezone.now", lambda: opened + timedelta(hours=settings.EXPERT_SESSION_MAX_HOURS)
    )
    assert client.get(PROFILE).status_code == 404
    monkeypatch.undo()
    _open(Client(), link)


def test_downloading_ones_data_leaves_the_link_and_the_session_open(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    assert client.post(reverse("expert_self:data_export")).status_code == 200
    assert client.get(PROFILE).status_code == 200
    _open(Client(), link)


def test_token_check_names_each_problem(nominated, django_capture_on_commit_callbacks):
    expert, link = nominated
    token = link.split("/")[3]
    check = confirmation_token_check(token=token)
    assert check.expert == expert and check.problem is None
    assert confirmation_token_check(token="nonsense").problem is TokenProblem.UNKNOWN
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    assert confirmation_token_check(token=token).problem is TokenProblem.SUPERSEDED


# --- access --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who", ["owner", "colleague_same_state", "focal_point_other_state", "secretariat", "anonymous"]
)
def test_expert_pages_answer_404_without_the_experts_own_session(cast, nominated, who):
    # No sign-in opens an expert's page: not the nominating focal point, not even the secretariat.
    client = cast.client_for(who)
    assert client.get(PROFILE).status_code == 404
    for name in EXPERT_POSTS:
        assert client.post(reverse(name), {"consent": "on", "confirm": "on"}).status_code == 404
    assert AuditEvent.objects.filter(action__startswith="expert.").count() == 0
    assert Expert.objects.get(pk=nominated[0].pk).consent_given_at is None


def test_expert_pages_answer_200_with_the_session_from_the_link(nominated):
    _expert, link = nominated
    client = Client()
    _open(client, link)
    assert client.get(PROFILE).status_code == 200


@pytest.mark.parametrize("name", EXPERT_POSTS)
def test_expert_actions_refuse_get(nominated, name):
    client = Client()
    _open(client, nominated[1])
    assert client.get(reverse(name)).status_code == 405


def test_profile_and_link_refuse_post(nominated):
    client = Client()
    assert client.post(nominated[1]).status_code == 405
    _open(client, nominated[1])
    assert client.post(PROFILE).status_code == 405


def test_a_session_opened_for_one_expert_never_shows_another(nominated):
    other = ExpertFactory(given_name="Other", family_name="Person")
    client = Client()
    _open(client, nominated[1])
    page = client.get(PROFILE).content.decode()
    assert "Wanjiru" in page and str(other) not in page


# --- consent -------------------------------------------------------------------------------------


def test_confirming_records_consent_version_and_time_with_an_audit_row(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    before = timezone.now()
    response = client.post(reverse("expert_self:consent_give"), {"consent": "on"}, follow=True)
    assert "your consent is recorded" in response.content.decode()
    expert.refresh_from_db()
    assert expert.consent_given_at >= before and expert.last_confirmed_at == expert.consent_given_at
    assert expert.consent_text_version == CONSENT_TEXT_VERSION
    assert expert.confirmation_requested_at is None
    event = AuditEvent.objects.get(action="expert.consent_give")
    assert event.target_id == str(expert.pk) and event.actor is None
    assert event.details["consent_text_version"] == CONSENT_TEXT_VERSION


def test_confirming_without_ticking_consent_is_refused_with_a_message(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    response = client.post(reverse("expert_self:consent_give"), {})
    assert response.status_code == 200
    assert 'role="alert"' in response.content.decode()
    assert "Tick the box" in response.content.decode()
    expert.refresh_from_db()
    assert expert.consent_given_at is None and expert.confirmation_requested_at is not None
    assert not AuditEvent.objects.filter(action="expert.consent_give").exists()


def test_refusing_consent_takes_the_expert_out_of_matching(nominated, django_capture_on_commit_callbacks):
    expert, link = nominated
    expert.status = Expert.Status.ACTIVE
    expert.save()
    client = Client()
    _open(client, link)
    client.post(reverse("expert_self:consent_give"), {"consent": "on"})
    assert expert_matchable().filter(pk=expert.pk).exists()
    # Withdrawing consent later takes a new link, as the first one was used up by the consent.
    with django_capture_on_commit_callbacks(execute=True):
        confirmation_request(expert=expert)
    _open(client, _link_path(mail.outbox[-1].body))
    client.post(reverse("expert_self:consent_refuse"))
    expert.refresh_from_db()
    assert expert.consent_given_at is None and expert.consent_text_version == ""
    assert not expert_matchable().filter(pk=expert.pk).exists()
    event = AuditEvent.objects.get(action="expert.consent_refuse")
    assert event.details["withdrawn_consent_text_version"] == CONSENT_TEXT_VERSION


def test_matchable_means_active_consented_not_erased_and_available(db):
    today = date(2026, 6, 1)
    ok = ExpertFactory(available_from=date(2026, 1, 1), available_until=date(2026, 12, 31))
    open_ended = ExpertFactory(available_from=None, available_until=None)
    ExpertFactory(consent_given_at=None)
    ExpertFactory(status=Expert.Status.SUBMITTED)
    ExpertFactory(status=Expert.Status.INACTIVE)
    ExpertFactory(erased_at=timezone.now())
    ExpertFactory(available_from=date(2026, 7, 1))
    ExpertFactory(available_until=date(2026, 5, 31))
    assert set(expert_matchable(on=today)) == {ok, open_ended}


# --- export --------------------------------------------------------------------------------------


def test_export_holds_everything_on_the_expert_but_never_the_cell_key(nominated):
    expert, link = nominated
    client = Client()
    _open(client, link)
    response = client.post(reverse("expert_self:data_export"))
    assert response["Content-Type"].startswith("application/json")
    assert response["Content-Disposition"].startswith("attachment;")
    data = json.loads(response.content)
    assert data["given_name"] == "Wanjiru" and data["email"] == "wanjiru.kamau@example.org"
    assert data["nominating_state"]["iso3"] == "KEN"
    assert {(item["code"], item["level"]) for item in data["languages"]} == {("en", "Native"), ("fr", "B2")}
    assert [(item["article"], item["level"]) for item in data["expertise"]] == [(15, 2), (46, 3)]
    assert data["employment"][0]["employer"] and data["education"][0]["institution"]
    assert data["history"]
    assert "cell_key" not in json.dumps(data)
    assert AuditEvent.objects.filter(action="expert.data_export", target_id=str(expert.pk)).count() == 1


def test_export_service_is_json_ready(nominated):
    data = expert_data_export(expert=nominated[0])
    assert json.loads(json.dumps(data))["id"] == nominated[0].pk


# --- erasure -------------------------------------------------------------------------------------


@pytest.fixture
def with_cv(nominated, django_capture_on_commit_callbacks):
    expert, link = nominated
    expert.cv_file.save("cv.pdf", ContentFile(b"%PDF-1.4 cv of Wanjiru Kamau"), save=False)
    expert.cv_original_name = "Wanjiru-Kamau-CV.pdf"
    expert.cv_content_type = "application/pdf"
    expert.save()
    expert.declared_conflict_states.add(country("UGA"))
    expert.assistance_types.add("legal_advice")
    return expert, link


def test_erasure_from_the_page_anonymises_keeps_aggregates_and_ends_the_session(
    with_cv, django_capture_on_commit_callbacks
):
    expert, link = with_cv
    storage = expert.cv_file.storage
    cv_name = expert.cv_file.name
    assert storage.exists(cv_name)
    client = Client()
    _open(client, link)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("expert_self:erase"), {"confirm": "on"})
    assert response.status_code == 302 and response["Location"] == reverse("expert_self:erased")
    expert.refresh_from_db()
    assert expert.erased_at is not None and expert.status == Expert.Status.WITHDRAWN
    for name in [
        "given_name",
        "email",
        "phone",
        "current_position",
        "employer",
        "summary",
        "name_key",
        "cv_original_name",
    ]:
        assert getattr(expert, name) == "", name
    assert "Kamau" not in expert.family_name and not expert.cv_file
    assert not storage.exists(cv_name)
    assert not Employment.objects.filter(expert=expert).exists()
    assert not Education.objects.filter(expert=expert).exists()
    assert not expert.declared_conflict_states.exists()
    # aggregates stay
    assert (expert.nominating_state_id, expert.nationality_id, expert.gender, expert.sector) == (
        "KEN",
        "KEN",
        "female",
        "prosecution",
    )
    assert set(expert.languages.values_list("language_id", flat=True)) == {"en", "fr"}
    assert set(expert.expertise.values_list("article_id", flat=True)) == {15, 46}
    assert list(expert.assistance_types.values_list("code", flat=True)) == ["legal_advice"]
    # the history keeps nothing personal either
    for row in expert.history.all():
        assert (row.given_name, row.email, row.phone, row.employer, row.summary, row.cv_file) == ("",) * 6
        assert "Kamau" not in row.family_name
    assert not AuditEvent.objects.filter(target_repr__contains="Kamau").exists()
    assert AuditEvent.objects.filter(action="expert.erase", target_id=str(expert.pk)).count() == 1
    # the session no longer opens anything, and the link is dead
    assert client.get(PROFILE).status_code == 404
    assert client.get(reverse("expert_self:erased")).status_code == 200
    assert Client().get(link).status_code == 410


def test_erasure_blanks_free_text_about_the_person_in_the_audit_trail(cast, with_cv):
    expert, _link = with_cv
    services.expert_request_changes(
        expert=expert, by=cast.secretariat, version=expert.version, message="Ms Kamau: add your posts."
    )
    services.expert_withdraw(expert=expert, by=cast.secretariat, reason="Kamau is on medical leave")
    expert_erase(expert=expert, by=None)
    events = AuditEvent.objects.filter(target_id=str(expert.pk))
    assert {"expert.request_changes", "expert.withdraw"} <= set(events.values_list("action", flat=True))
    for event in events:
        assert "Kamau" not in json.dumps(event.details), event.action
    withdrawal = events.get(action="expert.withdraw")
    assert withdrawal.actor == cast.secretariat and withdrawal.details["from"] == Expert.Status.CHANGES_REQUESTED


def test_erasure_needs_the_box_ticked(with_cv):
    expert, link = with_cv
    client = Client()
    _open(client, link)
    response = client.post(reverse("expert_self:erase"), {})
    assert response.status_code == 200 and "Tick the box" in response.content.decode()
    expert.refresh_from_db()
    assert expert.erased_at is None and expert.given_name == "Wanjiru"


def test_a_rolled_back_erasure_keeps_the_cv(with_cv):
    expert, _link = with_cv
    storage = expert.cv_file.storage
    name = expert.cv_file.name
    # Inside the test transaction nothing commits, so the file must still be there.
    expert_erase(expert=expert, by=None)
    assert storage.exists(name)


def test_erasure_by_the_secretariat_is_audited_with_the_actor(cast, with_cv):
    expert, _link = with_cv
    expert_erase(expert=expert, by=cast.secretariat)
    event = AuditEvent.objects.get(action="expert.erase")
    assert event.actor == cast.secretariat
    assert expert_erase(expert=expert, by=cast.secretariat).erased_at is not None
    assert AuditEvent.objects.filter(action="expert.erase").count() == 1
