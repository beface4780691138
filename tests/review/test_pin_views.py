"""Pins on the review page: who may set and remove them, what the page shows (the ranking's buttons, the list with
who and when, the history), and a refusal that keeps what was typed."""

import pytest
from django.urls import reverse

from audit.actions import AuditAction
from matching.models import AssignmentPin
from matching.pins import assignment_pin_set
from tests.conftest import signed_in_client
from tests.factories import NeedFactory, SecretariatFactory
from tests.review.conftest import review_url

pytestmark = pytest.mark.django_db
Kind = AssignmentPin.Kind


@pytest.fixture
def pin(cast, need, experts):
    return assignment_pin_set(by=cast.secretariat, need=need, expert=experts[0], kind=Kind.FORBID, reason="Conflict")


def _pin_urls(need, pin):
    return [review_url(need, "review_pin_set"), review_url(need, "review_pin_remove", pin.pk)]


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "staff_outside_the_group", "anonymous"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_pin_urls_refuse_anyone_outside_the_secretariat(cast, need, experts, pin, who, method):
    if who == "staff_outside_the_group":
        outsider = SecretariatFactory(email="outsider@secretariat.example.org")
        outsider.groups.clear()
        client = signed_in_client(outsider)
    else:
        client = cast.client_for(who)
    for url in _pin_urls(need, pin):
        data = {"expert": experts[1].pk, "kind": "force", "version": 1}
        response = getattr(client, method)(url, data)
        assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login")), url
    assert list(AssignmentPin.objects.values_list("expert_id", "removed_at")) == [(experts[0].pk, None)]


def test_the_pin_urls_answer_405_to_anything_but_post(staff, need, pin):
    for url in _pin_urls(need, pin):
        assert staff.get(url).status_code == 405, url
        assert staff.put(url).status_code == 405, url


def test_a_member_forces_and_forbids_from_the_ranking_and_sees_the_pins_with_who_and_when(cast, staff, need, experts):
    page = staff.get(review_url(need)).content.decode()
    assert "Always propose for this need" in page and "Never propose for this need" in page
    assert "No pin: runs choose freely" in page
    forced = staff.post(
        review_url(need, "review_pin_set"), {"expert": experts[0].pk, "kind": "force", "version": 0, "back": "a=b"}
    )
    assert forced.status_code == 302 and forced["Location"].endswith("#pins")
    forbidden = staff.post(
        review_url(need, "review_pin_set"),
        {"expert": experts[1].pk, "kind": "forbid", "reason": "Advises the requesting State", "version": 0},
    )
    assert forbidden.status_code == 302
    assert dict(AssignmentPin.objects.values_list("expert_id", "kind")) == {
        experts[0].pk: "force",
        experts[1].pk: "forbid",
    }
    response = staff.get(review_url(need))
    page = response.content.decode()
    assert [pin.expert_id for pin in response.context["pins"]] == [experts[1].pk, experts[0].pk]
    assert "Advises the requesting State" in page
    assert cast.secretariat.get_full_name() in page
    rows = {row.expert_id: row.pin.kind for row in response.context["ranking"] if row.pin}
    assert rows == {experts[0].pk: "force", experts[1].pk: "forbid"}
    history = [(row.action, row.what) for row in response.context["history"]]
    assert ("Pinned for assignment runs", f"{experts[1]}; Never propose; reason recorded on the pin") in history
    assert ("Pinned for assignment runs", f"{experts[0]}; Always propose") in history


def test_removing_a_pin_from_the_page(cast, staff, need, experts, pin):
    response = staff.post(review_url(need, "review_pin_remove", pin.pk), {"version": 1})
    assert response.status_code == 302
    pin.refresh_from_db()
    assert pin.removed_by == cast.secretariat
    page = staff.get(review_url(need))
    assert page.context["pins"] == []
    assert ("Pin removed", f"{experts[0]}; Never propose") in [
        (row.action, row.what) for row in page.context["history"]
    ]


def test_changing_a_forbid_into_a_force_names_what_it_replaces(staff, need, experts, pin):
    response = staff.post(
        review_url(need, "review_pin_set"), {"expert": experts[0].pk, "kind": "force", "reason": "", "version": 1}
    )
    assert response.status_code == 302
    history = staff.get(review_url(need)).context["history"]
    (replaced,) = [
        row for row in history if row.event.action == AuditAction.ASSIGNMENT_PIN_SET and "instead" in row.what
    ]
    assert replaced.what == f"{experts[0]}; Always propose; instead of “Never propose”"


def test_a_forbid_without_a_reason_is_refused_and_the_form_stays_open(staff, need, experts):
    response = staff.post(
        review_url(need, "review_pin_set"), {"expert": experts[2].pk, "kind": "forbid", "reason": " ", "version": 0}
    )
    assert response.status_code == 400
    assert "Say why the expert must never be proposed for this need." in response.content.decode()
    assert response.context["failed"]["expert"] == experts[2].pk
    assert not AssignmentPin.objects.exists()


def test_a_pin_set_on_a_stale_page_is_a_conflict_and_keeps_the_reason(cast, staff, need, experts, pin):
    # The page was opened before another member forbade the expert.
    response = staff.post(
        review_url(need, "review_pin_set"),
        {"expert": experts[0].pk, "kind": "force", "reason": "Only speaker of Swahili", "version": 0},
    )
    assert response.status_code == 409
    assert "Only speaker of Swahili</textarea>" in response.content.decode()
    assert AssignmentPin.objects.get().kind == "forbid"


def test_a_pin_of_another_need_is_not_removed_through_this_one(staff, need, experts, pin):
    other = NeedFactory(articles=[46], working_languages=["en"])
    assert staff.post(review_url(other, "review_pin_remove", pin.pk), {"version": 1}).status_code == 404
    assert staff.post(review_url(need, "review_pin_remove", pin.pk), {"version": ""}).status_code == 400
    pin.refresh_from_db()
    assert pin.removed_at is None
