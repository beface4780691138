"""Pins: who may set them, what a forbid must say, versions, and the audit rows they leave (without free text)."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import AssignmentPin
from matching.pins import assignment_pin_remove, assignment_pin_set
from portal.locking import VersionConflict
from roster.personal_data import expert_erase
from tests.factories import ExpertFactory, NeedFactory

pytestmark = pytest.mark.django_db
Kind = AssignmentPin.Kind


@pytest.fixture
def need():
    return NeedFactory()


@pytest.fixture
def person():
    return ExpertFactory()


def test_forcing_an_expert_writes_the_pin_and_an_audit_row_without_its_reason(cast, need, person):
    pin = assignment_pin_set(
        by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE, reason=" Speaks the language ", version=0
    )
    assert (pin.kind, pin.reason, pin.created_by, pin.version) == ("force", "Speaks the language", cast.secretariat, 1)
    event = AuditEvent.objects.get(action=AuditAction.ASSIGNMENT_PIN_SET)
    assert event.actor == cast.secretariat and event.target_id == str(pin.pk)
    assert event.details == {"need": need.pk, "expert": person.pk, "kind": "force", "pin_reason_given": True}
    assert "Speaks" not in str(event.details)


def test_a_force_needs_no_reason_but_a_forbid_does(cast, need, person):
    assert assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE).reason == ""
    with pytest.raises(ValidationError) as refused:
        assignment_pin_set(by=cast.secretariat, need=need, expert=ExpertFactory(), kind=Kind.FORBID, reason="  ")
    assert "reason" in refused.value.message_dict
    # The database keeps the rule too.
    with pytest.raises(IntegrityError), transaction.atomic():
        AssignmentPin.objects.create(need=need, expert=ExpertFactory(), kind=Kind.FORBID, reason="")


def test_only_the_secretariat_pins(cast, need, person):
    with pytest.raises(PermissionDenied):
        assignment_pin_set(by=cast.owner, need=need, expert=person, kind=Kind.FORCE)
    pin = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE)
    with pytest.raises(PermissionDenied):
        assignment_pin_remove(by=cast.owner, pin=pin)
    assert AuditEvent.objects.filter(action__startswith="assignment_pin.").count() == 1


@pytest.mark.parametrize("status", ["addressed", "cancelled"])
def test_a_closed_need_takes_no_pin(cast, person, status):
    with pytest.raises(ValidationError) as refused:
        assignment_pin_set(by=cast.secretariat, need=NeedFactory(status=status), expert=person, kind=Kind.FORCE)
    assert refused.value.code == "need_closed"


def test_changing_the_kind_replaces_the_pin_and_keeps_the_old_row(cast, need, person):
    forced = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE, version=0)
    forbidden = assignment_pin_set(
        by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Advises the State", version=1
    )
    forced.refresh_from_db()
    assert forced.removed_at is not None and forced.removed_by == cast.secretariat
    assert forbidden.pk != forced.pk and forbidden.kind == "forbid"
    assert AssignmentPin.objects.filter(need=need, expert=person, removed_at__isnull=True).get() == forbidden
    last = AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_PIN_SET).order_by("-id").first()
    assert last.details["replaced"] == "force" and last.details["kind"] == "forbid"


def test_a_new_reason_for_the_same_kind_updates_the_pin_and_the_same_one_again_changes_nothing(cast, need, person):
    pin = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Conflict")
    again = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Conflict")
    assert again.pk == pin.pk and again.version == 1
    changed = assignment_pin_set(
        by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Works for the State", version=1
    )
    assert changed.pk == pin.pk and changed.version == 2 and changed.reason == "Works for the State"
    events = AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_PIN_SET).order_by("id")
    assert [event.details.get("reason_changed", False) for event in events] == [False, True]


def test_a_pin_set_on_a_stale_page_is_refused(cast, need, person):
    pin = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE, version=0)
    # Another member's page, opened before the pin existed.
    with pytest.raises(VersionConflict):
        assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="x", version=0)
    assignment_pin_remove(by=cast.secretariat, pin=pin, version=1)
    # A page that still shows the removed pin.
    with pytest.raises(VersionConflict):
        assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="x", version=1)
    with pytest.raises(VersionConflict):
        assignment_pin_remove(by=cast.secretariat, pin=pin, version=1)
    assert not AssignmentPin.objects.filter(removed_at__isnull=True).exists()


def test_removing_a_pin_keeps_the_row_and_is_audited(cast, need, person):
    pin = assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Conflict")
    removed = assignment_pin_remove(by=cast.secretariat, pin=pin, version=1)
    assert removed.removed_at is not None and removed.removed_by == cast.secretariat and removed.version == 2
    event = AuditEvent.objects.get(action=AuditAction.ASSIGNMENT_PIN_REMOVE)
    assert event.target_id == str(pin.pk) and event.details["kind"] == "forbid"
    with pytest.raises(ValidationError) as refused:
        assignment_pin_remove(by=cast.secretariat, pin=pin)
    assert refused.value.code == "removed"
    # The expert may be pinned again.
    assert assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORCE).pk != pin.pk


def test_erasing_the_expert_deletes_the_pins_and_their_reasons(cast, need, person):
    assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=Kind.FORBID, reason="Conflict")
    expert_erase(expert=person, by=cast.secretariat)
    assert not AssignmentPin.objects.exists()
    assert AuditEvent.objects.filter(action=AuditAction.ASSIGNMENT_PIN_SET).exists()
