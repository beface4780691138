"""The review page's history: the audit rows about a need's shortlist and rankings, told in words."""

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import AssignmentPin, ShortlistEntry

ACTION_LABELS = {
    AuditAction.NEED_RANK: gettext_lazy("Ranked"),
    AuditAction.SHORTLIST_ADD: gettext_lazy("Added to the shortlist"),
    AuditAction.SHORTLIST_REMOVE: gettext_lazy("Removed from the shortlist"),
    AuditAction.SHORTLIST_STATUS: gettext_lazy("Status changed"),
    AuditAction.SHORTLIST_MOVE: gettext_lazy("Moved in the shortlist"),
    AuditAction.SHORTLIST_AVAILABILITY_REQUEST: gettext_lazy("Availability asked by mail"),
    AuditAction.SHORTLIST_AVAILABILITY_REMINDER: gettext_lazy("Reminder sent"),
    AuditAction.SHORTLIST_EXPORT: gettext_lazy("Shortlist exported"),
    AuditAction.ASSIGNMENT_PIN_SET: gettext_lazy("Pinned for assignment runs"),
    AuditAction.ASSIGNMENT_PIN_REMOVE: gettext_lazy("Pin removed"),
}


@dataclass(frozen=True)
class HistoryRow:
    event: AuditEvent
    who: str
    action: str
    what: str


def _status_label(code: str | None) -> str:
    return str(ShortlistEntry.Status(code).label) if code in ShortlistEntry.Status.values else str(code or "")


def _kind_label(code: str | None) -> str:
    return str(AssignmentPin.Kind(code).label) if code in AssignmentPin.Kind.values else str(code or "")


def _what(details: dict[str, Any], experts: dict[int, str]) -> str:
    parts = []
    if details.get("expert") in experts:
        parts.append(experts[details["expert"]])
    if isinstance(details.get("kind"), str):
        parts.append(_kind_label(details["kind"]))
    if details.get("replaced"):
        parts.append(_("instead of “%(kind)s”") % {"kind": _kind_label(details["replaced"])})
    if details.get("reason_changed"):
        parts.append(_("reason changed"))
    elif details.get("pin_reason_given"):
        parts.append(_("reason recorded on the pin"))
    if isinstance(details.get("status"), list) and len(details["status"]) == 2:
        before, after = details["status"]
        parts.append(f"{_status_label(before)} → {_status_label(after)}")
    if isinstance(details.get("position"), list) and len(details["position"]) == 2:
        before, after = details["position"]
        parts.append(_("position %(before)s → %(after)s") % {"before": before, "after": after})
    if details.get("deployed"):
        parts.append(_("deployed %(dates)s") % {"dates": " – ".join(day or "…" for day in details["deployed"])})
    if details.get("reason_given"):
        parts.append(_("reason recorded on the entry"))
    if details.get("note_changed"):
        parts.append(_("note changed"))
    if details.get("comment_changed"):
        parts.append(_("expert's comment recorded"))
    if details.get("form"):
        parts.append(str(details["form"]).upper())
    if "snapshot" in details:
        parts.append(_("ranking no. %(snapshot)s") % {"snapshot": details["snapshot"]})
    return "; ".join(parts)


def history_rows(events: list[AuditEvent], *, experts: dict[int, str]) -> list[HistoryRow]:
    """`experts` names the experts the page already shows, so that no row costs a query."""
    rows = []
    for event in events:
        if event.actor is not None:
            who = event.actor.get_full_name() or event.actor.email
        elif event.details.get("via") == "expert_link":
            who = _("The expert, through the mailed link")
        else:
            who = _("The portal (scheduled task)")
        label = ACTION_LABELS.get(event.action)
        rows.append(HistoryRow(event, who, str(label) if label else event.action, _what(event.details, experts)))
    return rows
