"""Pins: the secretariat's word that an assignment run always (force) or never (forbid) proposes an expert for a
need. Runs read the current pins of their needs (matching.runs).

Every change writes its audit row in the same transaction. As for shortlists (matching/shortlists.py), the rows
keep no free text: the reason is about a person and stays on the pin, where erasure finds it. A change made from a
page names the version of the pin it was made on, 0 when the page showed no pin (portal.locking), so that two
secretariat members pinning one expert at once never overwrite each other's decision unseen.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from matching.models import AssignmentPin
from matching.shortlists import SHORTLISTABLE_NEED_STATUSES
from needs.models import Need
from portal.access import secretariat_only
from portal.locking import VersionConflict, locked_at_version
from roster.models import Expert

Kind = AssignmentPin.Kind


def _stale() -> str:
    return _("Someone else changed this expert's pin for the need after you opened the page; nothing was saved.")


@transaction.atomic
def assignment_pin_set(
    *, by: User | None, need: Need, expert: Expert, kind: str, reason: str = "", version: int | None = None
) -> AssignmentPin:
    """Pin an expert to a need, or change the kind or reason of the current pin.

    `version` is the version of the pin the page showed, 0 when it showed none; None (a command) checks nothing.
    A pin of the other kind is replaced: the old row is marked removed and a new one records who decided, and when.
    """
    secretariat_only(by, operator_allowed=True)
    if kind not in Kind.values:
        raise ValidationError(_("Choose to always or never propose the expert."), code="kind")
    reason = reason.strip()
    if kind == Kind.FORBID and not reason:
        raise ValidationError(
            {"reason": _("Say why the expert must never be proposed for this need.")}, code="required"
        )
    # The need's row is locked first, as shortlist_add does, so that two pins of one expert never race.
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status not in SHORTLISTABLE_NEED_STATUSES:
        raise ValidationError(_("Only a need open for shortlisting takes pins."), code="need_closed")
    current_id = (
        AssignmentPin.objects.filter(need=need, expert=expert, removed_at__isnull=True)
        .values_list("pk", flat=True)
        .first()
    )
    current = None
    if current_id is not None:
        current = locked_at_version(AssignmentPin.objects.all(), pk=current_id, version=version, message=_stale())
    elif version:
        # The page showed a pin that has been removed since.
        raise VersionConflict(_stale())
    if current is not None and current.kind == kind:
        if current.reason == reason:
            return current
        current.reason = reason
        current.version += 1
        current.save(update_fields=["reason", "version", "updated_at"])
        _audit(by=by, pin=current, action=AuditAction.ASSIGNMENT_PIN_SET, extra={"reason_changed": True})
        return current
    if current is not None:
        _remove(by=by, pin=current)
    pin = AssignmentPin.objects.create(need=need, expert=expert, kind=kind, reason=reason, created_by=by)
    _audit(
        by=by,
        pin=pin,
        action=AuditAction.ASSIGNMENT_PIN_SET,
        extra={"replaced": current.kind} if current is not None else {},
    )
    return pin


@transaction.atomic
def assignment_pin_remove(*, by: User | None, pin: AssignmentPin, version: int | None = None) -> AssignmentPin:
    """Lift a pin: runs choose freely again for this expert and need. The row stays, with who removed it, when."""
    secretariat_only(by, operator_allowed=True)
    pin = locked_at_version(AssignmentPin.objects.all(), pk=pin.pk, version=version, message=_stale())
    if pin.removed_at is not None:
        raise ValidationError(_("This pin has already been removed."), code="removed")
    _remove(by=by, pin=pin)
    _audit(by=by, pin=pin, action=AuditAction.ASSIGNMENT_PIN_REMOVE)
    return pin


def _remove(*, by: User | None, pin: AssignmentPin) -> None:
    pin.removed_at, pin.removed_by = timezone.now(), by
    pin.version += 1
    pin.save(update_fields=["removed_at", "removed_by", "version", "updated_at"])


def _audit(*, by: User | None, pin: AssignmentPin, action: AuditAction, extra: dict | None = None) -> None:
    audit_record(
        actor=by,
        action=action,
        target=pin,
        details={
            "need": pin.need_id,
            "expert": pin.expert_id,
            "kind": pin.kind,
            **({"pin_reason_given": bool(pin.reason)} if action == AuditAction.ASSIGNMENT_PIN_SET else {}),
            **(extra or {}),
        },
    )
