"""Shortlist entries: who may change them, the road from proposal to deployment, and the trail it leaves."""

from datetime import date

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import ShortlistEntry
from matching.shortlists import (
    shortlist_add,
    shortlist_current,
    shortlist_move,
    shortlist_remove,
    shortlist_status_set,
)
from portal.locking import VersionConflict
from roster.personal_data import expert_erase
from tests.factories import ExpertFactory, NeedFactory

pytestmark = pytest.mark.django_db
Status = ShortlistEntry.Status


@pytest.fixture
def need():
    return NeedFactory()


def test_experts_are_added_at_the_end_of_the_shortlist_with_an_audit_row(cast, need):
    first, second = ExpertFactory(), ExpertFactory()
    a = shortlist_add(by=cast.secretariat, need=need, expert=first)
    b = shortlist_add(by=cast.secretariat, need=need, expert=second, source=ShortlistEntry.Source.MANUAL)
    assert [entry.pk for entry in shortlist_current(need=need)] == [a.pk, b.pk]
    assert (a.position, b.position) == (1, 2)
    event = AuditEvent.objects.get(action=AuditAction.SHORTLIST_ADD, target_id=str(b.pk))
    assert event.actor == cast.secretariat
    assert event.details == {"need": need.pk, "expert": second.pk, "source": "manual", "position": 2}


def test_a_focal_point_cannot_shortlist(cast, need):
    with pytest.raises(PermissionDenied):
        shortlist_add(by=cast.owner, need=need, expert=ExpertFactory())
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize(
    "fields",
    [{"status": "submitted"}, {"status": "inactive"}, {"consent_given_at": None}],
    ids=["not validated", "inactive", "no consent"],
)
def test_only_active_consenting_experts_can_be_shortlisted(cast, need, fields):
    with pytest.raises(ValidationError) as refused:
        shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory(**fields))
    assert refused.value.code == "expert_not_available"


@pytest.mark.parametrize("status", ["addressed", "cancelled"])
def test_a_closed_need_takes_no_new_entry(cast, status):
    need = NeedFactory(status=status)
    with pytest.raises(ValidationError):
        shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory())


def test_an_expert_is_on_a_shortlist_once_but_may_come_back_after_removal(cast, need):
    expert = ExpertFactory()
    entry = shortlist_add(by=cast.secretariat, need=need, expert=expert)
    with pytest.raises(ValidationError):
        shortlist_add(by=cast.secretariat, need=need, expert=expert)
    shortlist_remove(by=cast.secretariat, entry_id=entry.pk, version=entry.version, reason="Not free in March")
    again = shortlist_add(by=cast.secretariat, need=need, expert=expert)
    assert [e.pk for e in shortlist_current(need=need)] == [again.pk]


def test_removal_needs_a_reason_and_keeps_the_row_with_who_and_why(cast, need):
    entry = shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory())
    with pytest.raises(ValidationError):
        shortlist_remove(by=cast.secretariat, entry_id=entry.pk, version=entry.version, reason="  ")
    removed = shortlist_remove(by=cast.secretariat, entry_id=entry.pk, version=entry.version, reason="Conflict")
    assert (removed.removed_by, removed.removed_reason) == (cast.secretariat, "Conflict")
    assert removed.removed_at is not None
    event = AuditEvent.objects.get(action=AuditAction.SHORTLIST_REMOVE)
    # The reason is about a person: it stays on the entry, where erasure finds it, not in the trail.
    assert "Conflict" not in str(event.details)


def test_an_entry_goes_from_proposed_to_deployed_leaving_a_row_at_each_step(cast, need):
    entry = shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory())
    road = [Status.CONTACTED, Status.AVAILABLE, Status.SELECTED]
    for status in road:
        entry = shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=entry.version, status=status)
    entry = shortlist_status_set(
        by=cast.secretariat,
        entry_id=entry.pk,
        version=entry.version,
        status=Status.DEPLOYED,
        deployed_from=date(2027, 3, 1),
        deployed_until=date(2027, 3, 12),
    )
    assert entry.status == Status.DEPLOYED
    assert entry.contacted_at and entry.answered_at and entry.selected_at
    steps = AuditEvent.objects.filter(action=AuditAction.SHORTLIST_STATUS).order_by("pk")
    assert [e.details["status"] for e in steps] == [
        ["proposed", "contacted"],
        ["contacted", "available"],
        ["available", "selected"],
        ["selected", "deployed"],
    ]
    assert steps.last().details["deployed"] == ["2027-03-01", "2027-03-12"]


@pytest.mark.parametrize(
    ("start", "target"),
    [("proposed", "selected"), ("proposed", "deployed"), ("declined", "selected"), ("deployed", "proposed")],
)
def test_an_entry_cannot_skip_a_step(cast, need, start, target):
    entry = ShortlistEntry.objects.create(need=need, expert=ExpertFactory(), position=1, status=start)
    with pytest.raises(ValidationError):
        shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=entry.version, status=target)
    entry.refresh_from_db()
    assert entry.status == start


def test_a_deployment_needs_its_first_day_and_ordered_dates(cast, need):
    entry = ShortlistEntry.objects.create(need=need, expert=ExpertFactory(), position=1, status="selected")
    with pytest.raises(ValidationError):
        shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=1, status="deployed")
    with pytest.raises(ValidationError):
        shortlist_status_set(
            by=cast.secretariat,
            entry_id=entry.pk,
            version=1,
            status="deployed",
            deployed_from=date(2027, 3, 2),
            deployed_until=date(2027, 3, 1),
        )
    entry.refresh_from_db()
    assert (entry.status, entry.version) == ("selected", 1)


def test_a_change_made_on_an_older_version_is_refused(cast, need):
    entry = shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory())
    shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=entry.version, status="contacted")
    with pytest.raises(VersionConflict):
        shortlist_remove(by=cast.secretariat, entry_id=entry.pk, version=entry.version, reason="stale page")


def test_a_deployed_entry_cannot_be_removed(cast, need):
    entry = ShortlistEntry.objects.create(need=need, expert=ExpertFactory(), position=1, status="deployed")
    with pytest.raises(ValidationError):
        shortlist_remove(by=cast.secretariat, entry_id=entry.pk, version=1, reason="tidying up")


def test_erasing_the_expert_blanks_the_free_text_of_their_entries_and_keeps_the_deployment(cast, need):
    expert = ExpertFactory()
    entry = ShortlistEntry.objects.create(
        need=need,
        expert=expert,
        position=1,
        status="deployed",
        note="Prefers remote work",
        answer_comment="Free in March",
        deployed_from=date(2027, 3, 1),
    )
    expert_erase(expert=expert, by=cast.secretariat)
    entry.refresh_from_db()
    assert (entry.note, entry.answer_comment) == ("", "")
    assert (entry.status, entry.deployed_from) == ("deployed", date(2027, 3, 1))


def test_moving_an_entry_swaps_it_with_its_neighbour_and_leaves_a_row(cast, need):
    a, b, c = (shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory()) for _ in range(3))
    moved = shortlist_move(by=cast.secretariat, entry_id=c.pk, version=c.version, direction="up")
    assert [entry.pk for entry in shortlist_current(need=need)] == [a.pk, c.pk, b.pk]
    assert moved.version == c.version + 1
    b.refresh_from_db()
    assert b.version == 2  # its place changed too: a form drawn before the move is stale
    event = AuditEvent.objects.get(action=AuditAction.SHORTLIST_MOVE)
    assert event.actor == cast.secretariat
    assert event.details == {"need": need.pk, "expert": c.expert_id, "position": [3, 2], "swapped_with": b.pk}
    moved = shortlist_move(by=cast.secretariat, entry_id=a.pk, version=a.version, direction="down")
    assert [entry.pk for entry in shortlist_current(need=need)] == [c.pk, a.pk, b.pk]


def test_moving_past_either_end_or_over_a_removed_entry_changes_nothing(cast, need):
    a, b, c = (shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory()) for _ in range(3))
    shortlist_remove(by=cast.secretariat, entry_id=b.pk, version=b.version, reason="Not free")
    shortlist_move(by=cast.secretariat, entry_id=a.pk, version=a.version, direction="up")
    assert not AuditEvent.objects.filter(action=AuditAction.SHORTLIST_MOVE).exists()
    shortlist_move(by=cast.secretariat, entry_id=c.pk, version=c.version, direction="up")
    assert [entry.pk for entry in shortlist_current(need=need)] == [c.pk, a.pk]


def test_a_move_on_an_older_version_or_by_a_focal_point_is_refused(cast, need):
    a, b = (shortlist_add(by=cast.secretariat, need=need, expert=ExpertFactory()) for _ in range(2))
    shortlist_move(by=cast.secretariat, entry_id=b.pk, version=b.version, direction="up")
    with pytest.raises(VersionConflict):
        shortlist_move(by=cast.secretariat, entry_id=a.pk, version=a.version, direction="up")
    with pytest.raises(PermissionDenied):
        shortlist_move(by=cast.owner, entry_id=b.pk, version=None, direction="down")
    with pytest.raises(ValidationError):
        shortlist_move(by=cast.secretariat, entry_id=b.pk, version=None, direction="sideways")
