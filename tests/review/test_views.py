"""The review page of a need and its actions: secretariat only, POST-only actions, conflicts answered without loss,
exports, history, the justified opening of a full record, and the expert's answer page."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from accounts.models import OneTimeToken
from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import MatchingPolicy, RankingSnapshot, ShortlistEntry
from matching.shortlists import shortlist_add, shortlist_status_set
from review import services
from tests.factories import ExpertLanguageFactory, NeedFactory
from tests.review.conftest import ranked_expert, review_url

pytestmark = pytest.mark.django_db
Status = ShortlistEntry.Status
LINK = re.compile(r"https?://[^/\s]+(/availability/\d+/[\w-]+/)")


@pytest.fixture
def shortlisted(cast, need, experts):
    return [shortlist_add(by=cast.secretariat, need=need, expert=expert) for expert in experts[:3]]


def _workspace_urls(need, entry):
    get_pages = ["review_need", "review_shortlist_csv", "review_shortlist_print"]
    post_actions = ["review_rank", "review_add"]
    entry_actions = ["review_move", "review_remove", "review_status", "review_availability_request"]
    entry_actions.append("review_availability_remind")
    return (
        [("get", review_url(need, name)) for name in get_pages]
        + [("get", reverse("admin:review_need_list")), ("get", reverse("admin:review_record_open", args=[1]))]
        + [("post", review_url(need, name)) for name in post_actions]
        + [("post", review_url(need, name, entry.pk)) for name in entry_actions]
    )


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "anonymous"])
def test_every_review_url_refuses_anyone_outside_the_secretariat(cast, need, shortlisted, who):
    client = cast.client_for(who)
    for method, url in _workspace_urls(need, shortlisted[0]):
        response = getattr(client, method)(url)
        assert response.status_code == 302 and reverse("admin:login") in response["Location"], url
    assert ShortlistEntry.objects.filter(status=Status.PROPOSED).count() == 3


def test_post_only_actions_answer_405_to_get_and_pages_405_to_post(staff, need, shortlisted):
    for method, url in _workspace_urls(need, shortlisted[0]):
        wrong = staff.get if method == "post" else staff.delete
        assert wrong(url).status_code == 405, url


def test_the_page_ranks_a_need_on_first_opening_and_shows_every_component(staff, need, experts):
    response = staff.get(review_url(need))
    assert response.status_code == 200
    snapshot = RankingSnapshot.objects.get(need=need)
    assert snapshot.created_by is not None
    assert AuditEvent.objects.filter(action=AuditAction.NEED_RANK, target_id=str(need.pk)).count() == 1
    page = response.content.decode()
    for heading in ["Expertise", "Type of assistance", "Language", "Geography", "Workload", "Articles missing"]:
        assert heading in page
    assert all(str(expert) in page for expert in experts)
    staff.get(review_url(need))
    assert RankingSnapshot.objects.filter(need=need).count() == 1  # read again, not ranked again


def test_adding_from_the_ranking_and_moving_and_removing_with_a_reason(cast, staff, need, experts):
    for expert in experts[:3]:
        response = staff.post(review_url(need, "review_add"), {"expert": expert.pk, "back": "regional_group=AFR"})
        assert response.status_code == 302 and "regional_group=AFR" in response["Location"]
    first, second, third = ShortlistEntry.objects.filter(need=need).order_by("position")
    assert staff.post(review_url(need, "review_move", third.pk), {"version": 1, "direction": "up"}).status_code == 302
    assert list(ShortlistEntry.objects.filter(need=need).order_by("position").values_list("pk", flat=True)) == [
        first.pk,
        third.pk,
        second.pk,
    ]
    refused = staff.post(review_url(need, "review_remove", first.pk), {"version": 1, "reason": ""})
    assert refused.status_code == 400
    removed = staff.post(review_url(need, "review_remove", first.pk), {"version": 1, "reason": "Conflict of interest"})
    assert removed.status_code == 302
    first.refresh_from_db()
    assert first.removed_reason == "Conflict of interest" and first.removed_by == cast.secretariat
    history = staff.get(review_url(need)).content.decode()
    for label in ["Added to the shortlist", "Moved in the shortlist", "Removed from the shortlist"]:
        assert label in history
    assert cast.secretariat.get_full_name() in history


def test_a_removal_on_a_stale_page_is_refused_with_409_and_the_reason_kept_on_the_page(staff, need, shortlisted):
    entry = shortlisted[0]
    staff.post(review_url(need, "review_move", shortlisted[1].pk), {"version": 1, "direction": "up"})
    response = staff.post(
        review_url(need, "review_remove", entry.pk), {"version": 1, "reason": "Works for the requesting State"}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "Someone else changed this shortlist entry" in page
    assert "Works for the requesting State</textarea>" in page
    entry.refresh_from_db()
    assert entry.removed_at is None


def test_status_forms_take_an_entry_to_selected_and_deployed_with_dates(staff, need, shortlisted):
    entry = shortlisted[0]
    for status in ["contacted", "available", "selected"]:
        entry.refresh_from_db()
        staff.post(review_url(need, "review_status", entry.pk), {"version": entry.version, "status": status})
    entry.refresh_from_db()
    missing = staff.post(review_url(need, "review_status", entry.pk), {"version": entry.version, "status": "deployed"})
    assert missing.status_code == 400 and "first day of the deployment" in missing.content.decode()
    response = staff.post(
        review_url(need, "review_status", entry.pk),
        {
            "version": entry.version,
            "status": "deployed",
            "deployed_from": "2027-03-01",
            "deployed_until": "2027-03-12",
            "note": "Mission in Nairobi",
        },
    )
    assert response.status_code == 302
    entry.refresh_from_db()
    assert (entry.status, str(entry.deployed_from), entry.note) == ("deployed", "2027-03-01", "Mission in Nairobi")


def test_the_shortlist_is_exported_as_csv_and_as_a_printable_page_and_both_are_recorded(cast, staff, need, shortlisted):
    response = staff.get(review_url(need, "review_shortlist_csv"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    body = b"".join(response.streaming_content)
    assert body.startswith(b"\xef\xbb\xbf")  # the byte-order mark every export starts with, for spreadsheets
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert rows[0] == services.EXPORT_COLUMNS
    assert [row[1] for row in rows[1:]] == [str(entry.expert_id) for entry in shortlisted]
    printed = staff.get(review_url(need, "review_shortlist_print"))
    assert printed.status_code == 200 and str(shortlisted[0].expert) in printed.content.decode()
    forms = AuditEvent.objects.filter(action=AuditAction.SHORTLIST_EXPORT).values_list("details__form", flat=True)
    assert sorted(forms) == ["csv", "print"]


def test_the_mix_chart_is_drawn_on_the_server_with_its_data_table(staff, need, shortlisted):
    page = staff.get(review_url(need)).content.decode()
    content = page.split('id="content-main"')[1]
    assert 'aria-labelledby="regional-mix-title regional-mix-desc"' in content
    assert 'aria-labelledby="legal-mix-title legal-mix-desc"' in content
    assert "<script" not in content and "cdn" not in page.lower()
    assert "Shortlist by regional group" in page and "WEOG" in page


def test_the_ranking_filters_by_regional_group(staff, need, experts):
    page = staff.get(review_url(need), {"regional_group": "AFR"}).content.decode()
    nigerian, french = experts[1], experts[0]
    assert f"Add {nigerian} to the shortlist" in page and f"Add {french} to the shortlist" not in page
    empty = staff.get(review_url(need), {"regional_group": "nowhere"})
    assert "No expert in this ranking matches the filters." in empty.content.decode()


def test_another_policy_ranks_side_by_side(staff, need, experts):
    other = MatchingPolicy.objects.create(name="Regional first", weight_geography=0.6)
    response = staff.post(review_url(need, "review_rank"), {"policy": other.pk})
    assert response.status_code == 302 and f"compare={other.pk}" in response["Location"]
    page = staff.get(response["Location"]).content.decode()
    assert "Ranking of the policy “Regional first”" in page
    assert RankingSnapshot.objects.filter(need=need, policy=other).count() == 1


def test_the_page_shows_the_active_policys_ranking_after_another_policy_ranked_the_need(staff, need, experts):
    staff.get(review_url(need))
    other = MatchingPolicy.objects.create(name="Regional first", weight_geography=0.6)
    staff.post(review_url(need, "review_rank"), {"policy": other.pk})
    page = staff.get(review_url(need)).content.decode()
    assert "with the policy “Default”" in page and "with the policy “Regional first”" not in page
    compared = staff.get(review_url(need), {"compare": other.pk}).content.decode()
    assert "with the policy “Default”" in compared and "Ranking of the policy “Regional first”" in compared


def test_the_ranking_prints_each_component_with_three_decimals_in_the_readers_language(cast, staff, need, experts):
    snapshot = services.review_rank(need=need, by=cast.secretariat)
    first = snapshot.candidates_ranked.order_by("rank").first()
    first.score, first.components = 0.0625, {**first.components, "workload": 0.0625, "geography": 1}
    first.save()
    row = re.search(r'<tr aria-label="[^"]*">\s*<td>1</td>.*?</tr>', staff.get(review_url(need)).content.decode(), re.S)
    cells = re.findall(r"<td>([^<]*)</td>", row.group(0))
    # floatformat rounds half up, as the template always did: 0.0625 is 0.063, not 0.062.
    assert cells[1] == "0.063" and cells[6] == "0.063" and cells[5] == "1.000", cells
    french = staff.get(review_url(need), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "<td>0,063</td>" in french


def test_opening_a_full_record_from_the_workspace_asks_for_the_need_and_records_it(cast, staff, need, shortlisted):
    expert = shortlisted[0].expert
    record = reverse("admin:roster_expert_change", args=[expert.pk])
    ask = reverse("admin:review_record_open", args=[expert.pk])
    refused = staff.get(record, headers={"referer": "http://testserver" + review_url(need)})
    assert refused.status_code == 403 and ask in refused.content.decode()
    assert staff.get(record + "?via=workspace").status_code == 403
    assert not AuditEvent.objects.filter(action=AuditAction.EXPERT_VIEW).exists()
    assert staff.get(ask, {"need": need.pk}).status_code == 200
    assert staff.post(ask, {"need": "", "reason": " "}).status_code == 400
    response = staff.post(ask, {"need": need.pk})
    assert response.status_code == 302 and response["Location"] == record + "?via=workspace"
    assert staff.get(response["Location"], headers={"referer": "http://testserver" + ask}).status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.EXPERT_VIEW)
    assert event.actor == cast.secretariat
    assert event.details["justification"] == {"need": need.pk, "reason": ""}


def test_a_justification_held_for_one_expert_opens_no_other(staff, need, shortlisted):
    first, second = shortlisted[0].expert, shortlisted[1].expert
    staff.post(reverse("admin:review_record_open", args=[first.pk]), {"reason": "Checking a conflict"})
    other = reverse("admin:roster_expert_change", args=[second.pk])
    assert staff.get(other + "?via=workspace").status_code == 403


# --- the expert's answer page ----------------------------------------------------------------------


def _asked(cast, entry, capture) -> str:
    with capture(execute=True):
        services.availability_request(by=cast.secretariat, entry_id=entry.pk, version=entry.version)
    return LINK.search(mail.outbox[-1].body)[1]


def test_the_expert_answers_through_the_link_once(client, cast, need, shortlisted, django_capture_on_commit_callbacks):
    entry = shortlisted[0]
    link = _asked(cast, entry, django_capture_on_commit_callbacks)
    page = client.get(link)
    assert page.status_code == 200 and need.title in page.content.decode()
    assert client.post(link, {"available": "maybe"}).status_code == 400
    answered = client.post(link, {"available": "yes", "comment": "Free from May"})
    assert answered.status_code == 200 and "you are available" in answered.content.decode()
    entry.refresh_from_db()
    assert (entry.status, entry.answer_comment) == (Status.AVAILABLE, "Free from May")
    used = client.get(link)
    assert used.status_code == 410 and "already been used" in used.content.decode()
    assert client.post(link, {"available": "no"}).status_code == 410


def test_the_answer_page_speaks_the_experts_language(client, cast, shortlisted, django_capture_on_commit_callbacks):
    entry = shortlisted[0]
    ExpertLanguageFactory(expert=entry.expert, language_id="es", level=7)
    link = _asked(cast, entry, django_capture_on_commit_callbacks)
    response = client.get(link, headers={"accept-language": "en"})
    assert response["Content-Language"] == "es" and '<html lang="es">' in response.content.decode()


def test_an_expired_link_is_answered_clearly(client, cast, shortlisted, django_capture_on_commit_callbacks):
    link = _asked(cast, shortlisted[0], django_capture_on_commit_callbacks)
    past = timezone.now() - timedelta(days=15)
    OneTimeToken.objects.update(created_at=past, expires_at=past + timedelta(days=14))
    response = client.get(link)
    assert response.status_code == 410 and "This link has expired." in response.content.decode()


def test_a_link_for_another_persons_entry_opens_nothing(client, cast, shortlisted, django_capture_on_commit_callbacks):
    link = _asked(cast, shortlisted[0], django_capture_on_commit_callbacks)
    other = link.replace(f"/{shortlisted[0].pk}/", f"/{shortlisted[1].pk}/")
    assert client.get(other).status_code == 404
    assert client.post(other, {"available": "yes"}).status_code == 404
    assert client.get("/availability/1/not-a-token/").status_code == 404
    shortlisted[1].refresh_from_db()
    assert shortlisted[1].status == Status.PROPOSED


def test_replies_reminders_and_silences_show_on_the_review_page(
    cast, staff, need, shortlisted, django_capture_on_commit_callbacks
):
    answered, silent = shortlisted[0], shortlisted[1]
    link = _asked(cast, answered, django_capture_on_commit_callbacks)
    Client = type(staff)
    Client().post(link, {"available": "no", "comment": "On leave in May"})
    _asked(cast, silent, django_capture_on_commit_callbacks)
    ShortlistEntry.objects.filter(pk=silent.pk).update(contacted_at=timezone.now() - timedelta(days=9))
    with django_capture_on_commit_callbacks(execute=True):
        reminded = staff.post(review_url(need, "review_availability_remind", silent.pk), {"version": 2})
    assert reminded.status_code == 302
    page = staff.get(review_url(need)).content.decode()
    assert "On leave in May" in page and "No answer for 9 days" in page and "1 reminder" in page
    assert "The expert, through the mailed link" in page and "Reminder sent" in page


def test_the_review_page_is_linked_from_the_need_in_the_admin_and_from_the_index(staff, need):
    assert review_url(need) in staff.get(reverse("admin:needs_need_change", args=[need.pk])).content.decode()
    assert reverse("admin:review_need_list") in staff.get(reverse("admin:index")).content.decode()
    assert review_url(need) in staff.get(reverse("admin:review_need_list")).content.decode()


def test_a_closed_need_takes_no_addition_and_says_why(staff, experts):
    need = NeedFactory(status="cancelled")
    response = staff.post(review_url(need, "review_add"), {"expert": experts[0].pk})
    assert response.status_code == 400 and "only for open needs" in response.content.decode()
    assert not ShortlistEntry.objects.exists()


def test_an_expert_outside_the_ranking_is_refused_when_not_active(staff, need):
    withdrawn = ranked_expert(status="withdrawn")
    assert staff.post(review_url(need, "review_add"), {"expert": withdrawn.pk}).status_code == 400
    assert staff.post(review_url(need, "review_add"), {"expert": 999999}).status_code == 404


def test_a_status_change_by_another_member_meanwhile_is_a_conflict(cast, staff, need, shortlisted):
    entry = shortlisted[0]
    shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=1, status="contacted")
    response = staff.post(review_url(need, "review_status", entry.pk), {"version": 1, "status": "contacted"})
    assert response.status_code == 409


def test_a_record_opened_from_the_admin_lists_is_audited_without_the_workspaces_justification(
    cast, staff, need, shortlisted
):
    expert = shortlisted[0].expert
    staff.post(reverse("admin:review_record_open", args=[expert.pk]), {"need": need.pk})
    assert staff.get(reverse("admin:roster_expert_change", args=[expert.pk])).status_code == 200
    assert AuditEvent.objects.get(action=AuditAction.EXPERT_VIEW).details == {}
