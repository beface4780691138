"""Shortlists: the experts the secretariat considers for a need, and the road from proposal to deployment.

Every change writes its audit row in the same transaction. The rows name the fields that changed but keep no free
text (a reason, a note, the expert's comment): that text is about a person and stays on the entry, where erasure
finds it. A change made from a page names the version of the
entry it was made on (portal.locking), so that two secretariat members working on one need never overwrite
each other's decision unseen.
"""

from datetime import date
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from matching.models import ShortlistEntry
from needs.models import Need
from portal.access import secretariat_only
from portal.locking import locked_at_version
from roster.models import Expert

Status = ShortlistEntry.Status

# The road of an entry: an answer may still change before a selection (an expert who said yes may withdraw),
# a selection or deployment is final; a mistake is corrected by removing the entry, with its reason.
TRANSITIONS: dict[str, frozenset[str]] = {
    Status.PROPOSED: frozenset({Status.CONTACTED}),
    Status.CONTACTED: frozenset({Status.AVAILABLE, Status.DECLINED}),
    Status.AVAILABLE: frozenset({Status.DECLINED, Status.SELECTED}),
    Status.DECLINED: frozenset({Status.AVAILABLE}),
    Status.SELECTED: frozenset({Status.DEPLOYED}),
    Status.DEPLOYED: frozenset(),
}
SHORTLISTABLE_NEED_STATUSES = frozenset({Need.Status.OPEN, Need.Status.SHORTLISTING})


def shortlist_current(*, need: Need) -> list[ShortlistEntry]:
    """The need's current entries (not removed), in the secretariat's order, with their experts."""
    return list(
        ShortlistEntry.objects.filter(need=need, removed_at__isnull=True)
        .select_related("expert", "expert__nationality")
        .order_by("position", "id")
    )


@transaction.atomic
def shortlist_add(
    *, by: User | None, need: Need, expert: Expert, source: str = ShortlistEntry.Source.RANKING, note: str = ""
) -> ShortlistEntry:
    """Put an expert at the end of a need's shortlist; refused for an expert who may not be proposed."""
    secretariat_only(by, operator_allowed=True)
    # The need's row is locked so that two additions at once get two different positions.
    need = Need.objects.select_for_update().get(pk=need.pk)
    if need.status not in SHORTLISTABLE_NEED_STATUSES:
        raise ValidationError(_("Experts are shortlisted only for open needs."), code="need_closed")
    if expert.status != Expert.Status.ACTIVE or not expert.has_consent:
        raise ValidationError(
            _("Only active experts who have given their consent can be shortlisted."), code="expert_not_available"
        )
    current = ShortlistEntry.objects.filter(need=need, removed_at__isnull=True)
    if current.filter(expert=expert).exists():
        raise ValidationError(_("This expert is already on the need's shortlist."), code="already_shortlisted")
    last = current.aggregate(last=Max("position"))["last"] or 0
    entry = ShortlistEntry.objects.create(
        need=need, expert=expert, position=last + 1, source=source, note=note, created_by=by
    )
    audit_record(
        actor=by,
        action=AuditAction.SHORTLIST_ADD,
        target=entry,
        details={"need": need.pk, "expert": expert.pk, "source": source, "position": entry.position},
    )
    return entry


def _locked_entry(*, entry_id: int, version: int | None) -> ShortlistEntry:
    entry = locked_at_version(
        ShortlistEntry.objects.all(),
        pk=entry_id,
        version=version,
        message=_("Someone else changed this shortlist entry after you opened it; nothing was saved."),
    )
    if entry.removed_at is not None:
        raise ValidationError(_("This expert has been removed from the shortlist."), code="removed")
    return entry


@transaction.atomic
def shortlist_remove(*, by: User | None, entry_id: int, version: int | None, reason: str) -> ShortlistEntry:
    """Take an expert off a need's shortlist; the row stays, with who removed it, when and why."""
    secretariat_only(by, operator_allowed=True)
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why the expert is removed from the shortlist.")}, code="required")
    entry = _locked_entry(entry_id=entry_id, version=version)
    if entry.status == Status.DEPLOYED:
        raise ValidationError(_("A deployed expert stays on the record of the need."), code="deployed")
    entry.removed_at = timezone.now()
    entry.removed_by = by
    entry.removed_reason = reason
    entry.version += 1
    entry.save(update_fields=["removed_at", "removed_by", "removed_reason", "version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.SHORTLIST_REMOVE,
        target=entry,
        details={"need": entry.need_id, "expert": entry.expert_id, "status": entry.status, "reason_given": True},
    )
    return entry


def _deployment_dates(*, deployed_from: date | None, deployed_until: date | None) -> None:
    if deployed_from is None:
        raise ValidationError({"deployed_from": _("Give the first day of the deployment.")}, code="required")
    if deployed_until is not None and deployed_until < deployed_from:
        raise ValidationError(
            {"deployed_until": _("The deployment cannot end before it starts.")}, code="deployment_order"
        )


@transaction.atomic
def shortlist_status_set(
    *,
    by: User | None,
    entry_id: int,
    version: int | None,
    status: str,
    note: str | None = None,
    comment: str | None = None,
    deployed_from: date | None = None,
    deployed_until: date | None = None,
    via: str | None = None,
) -> ShortlistEntry:
    """Move an entry along its road; `comment` is the expert's own words with an answer, `note` the secretariat's.

    `via` names, in the audit row, how a change without a signed-in author came (the expert's own link)."""
    secretariat_only(by, operator_allowed=True)
    entry = _locked_entry(entry_id=entry_id, version=version)
    if status not in TRANSITIONS.get(entry.status, frozenset()):
        raise ValidationError(
            _("An entry that is %(current)s cannot become %(target)s.")
            % {"current": entry.get_status_display().lower(), "target": Status(status).label.lower()}
            if status in Status.values
            else _("Unknown status."),
            code="transition",
        )
    now = timezone.now()
    changed: dict[str, Any] = {"status": [entry.status, status]}
    entry.status = status
    if status == Status.CONTACTED:
        entry.contacted_at = now
    elif status in (Status.AVAILABLE, Status.DECLINED):
        entry.answered_at = now
        if comment is not None and comment.strip() != entry.answer_comment:
            entry.answer_comment = comment.strip()
            changed["comment_changed"] = True
    elif status == Status.SELECTED:
        entry.selected_at = now
    elif status == Status.DEPLOYED:
        _deployment_dates(deployed_from=deployed_from, deployed_until=deployed_until)
        entry.deployed_from, entry.deployed_until = deployed_from, deployed_until
        changed["deployed"] = [
            deployed_from.isoformat() if deployed_from else None,
            deployed_until and deployed_until.isoformat(),
        ]
    if note is not None and note.strip() != entry.note:
        changed["note_changed"] = True
        entry.note = note.strip()
    entry.version += 1
    entry.save()
    audit_record(
        actor=by,
        action=AuditAction.SHORTLIST_STATUS,
        target=entry,
        details={"need": entry.need_id, "expert": entry.expert_id, **changed, **({"via": via} if via else {})},
    )
    return entry


@transaction.atomic
def shortlist_move(*, by: User | None, entry_id: int, version: int | None, direction: str) -> ShortlistEntry:
    """Swap an entry with its neighbour above ("up") or below ("down") in the need's current order.

    The neighbour's position changes too, so its version moves on: a form opened on it before the move is refused
    rather than applied to an order its author did not see. At either end, nothing changes and nothing is recorded.
    """
    secretariat_only(by, operator_allowed=True)
    if direction not in ("up", "down"):
        raise ValidationError(_("Move an entry up or down."), code="direction")
    # The need's row is locked first, as shortlist_add does, so that an addition and a move never interleave.
    entry = ShortlistEntry.objects.only("need_id").get(pk=entry_id)
    Need.objects.select_for_update().filter(pk=entry.need_id).get()
    entry = _locked_entry(entry_id=entry_id, version=version)
    current = ShortlistEntry.objects.select_for_update().filter(need_id=entry.need_id, removed_at__isnull=True)
    if direction == "up":
        neighbour = current.filter(position__lte=entry.position).exclude(pk=entry.pk).order_by("-position", "-id")
    else:
        neighbour = current.filter(position__gte=entry.position).exclude(pk=entry.pk).order_by("position", "id")
    other = neighbour.first()
    if other is None:
        return entry
    before = entry.position
    entry.position, other.position = other.position, entry.position
    for moved in (entry, other):
        moved.version += 1
        moved.save(update_fields=["position", "version", "updated_at"])
    audit_record(
        actor=by,
        action=AuditAction.SHORTLIST_MOVE,
        target=entry,
        details={
            "need": entry.need_id,
            "expert": entry.expert_id,
            "position": [before, entry.position],
            "swapped_with": other.pk,
        },
    )
    return entry
