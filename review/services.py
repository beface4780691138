"""Writes of the review workspace: rankings asked from the page, availability requests and their answers, reminders,
exports and the justified opening of an expert's full record.

The shortlist itself changes only through matching.shortlists (add, move, remove, status); what is here adds the
mail, the one-time link and the trail around those changes.
"""

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.tokens import Purpose, TokenProblem, TokenRefused, token_check, token_issue, token_use
from audit.actions import AuditAction
from audit.services import audit_record
from matching.models import MatchingPolicy, RankingSnapshot, ShortlistEntry
from matching.services import rank_need
from matching.shortlists import shortlist_status_set
from needs.models import Need
from portal.access import secretariat_only
from portal.locking import locked_at_version
from portal.mail import mail_send
from review.selectors import REVIEW_TOP, availability_silences
from roster.models import Expert

Status = ShortlistEntry.Status

# Long enough for an expert on mission to read their mail; a reminder sends a fresh link.
AVAILABILITY_LINK_MAX_AGE = timedelta(days=14)
AVAILABILITY_SUBJECT = gettext_lazy("Are you available for a technical assistance mission?")
REMINDER_SUBJECT = gettext_lazy("Reminder: are you available for a technical assistance mission?")


def review_rank(*, need: Need, by: User | None, policy: MatchingPolicy | None = None) -> RankingSnapshot:
    """Rank the roster for the need with `policy` (the active one by default), keeping the review page's length."""
    return rank_need(need=need, policy=policy, by=by, top=REVIEW_TOP)


# --- availability -------------------------------------------------------------------------------


def _availability_mail(
    *, entry: ShortlistEntry, by: User | None, action: AuditAction, subject: Promise, template: str
) -> ShortlistEntry:
    """A new one-time link for the entry (older ones void) mailed to the expert in their language, and its row."""
    now = timezone.now()
    token = token_issue(
        purpose=Purpose.AVAILABILITY_ANSWER, subject_id=entry.pk, ttl=AVAILABILITY_LINK_MAX_AGE, now=now
    )
    expert = entry.expert
    link = settings.SITE_URL + reverse("availability:answer", kwargs={"entry_id": entry.pk, "token": token})
    expires = now + AVAILABILITY_LINK_MAX_AGE
    mail_send(
        to=expert.email,
        language=expert.mail_language(),
        subject=subject,
        template=template,
        context={"expert": expert, "need": entry.need, "link": link, "expires_at": expires},
    )
    audit_record(
        actor=by,
        action=action,
        target=entry,
        details={"need": entry.need_id, "expert": entry.expert_id, "link_expires": expires.isoformat()},
    )
    return entry


@transaction.atomic
def availability_request(*, by: User | None, entry_id: int, version: int | None) -> ShortlistEntry:
    """Ask a proposed expert by mail whether they are available; the entry becomes contacted."""
    secretariat_only(by, operator_allowed=True)
    entry = shortlist_status_set(by=by, entry_id=entry_id, version=version, status=Status.CONTACTED)
    if not entry.expert.email or entry.expert.erased_at is not None:
        raise ValidationError(_("This expert has no e-mail address to write to."), code="no_address")
    return _availability_mail(
        entry=entry,
        by=by,
        action=AuditAction.SHORTLIST_AVAILABILITY_REQUEST,
        subject=AVAILABILITY_SUBJECT,
        template="review/email/availability_request.txt",
    )


@transaction.atomic
def availability_remind(*, by: User | None, entry_id: int) -> ShortlistEntry:
    """Ask again an expert who has not answered, with a fresh link (the older one stops working)."""
    secretariat_only(by, operator_allowed=True)
    entry = locked_at_version(ShortlistEntry.objects.select_related("expert", "need"), pk=entry_id, version=None)
    if entry.removed_at is not None or entry.status != Status.CONTACTED:
        raise ValidationError(_("Only an expert who was asked and has not answered is reminded."), code="not_waiting")
    return _availability_mail(
        entry=entry,
        by=by,
        action=AuditAction.SHORTLIST_AVAILABILITY_REMINDER,
        subject=REMINDER_SUBJECT,
        template="review/email/availability_reminder.txt",
    )


def availability_reminders_send(*, older_than: timedelta, now: datetime | None = None) -> list[ShortlistEntry]:
    """Remind every expert silent for longer than `older_than` since the last mail (one transaction each)."""
    silent = list(availability_silences(older_than=older_than, now=now).values_list("pk", flat=True))
    return [availability_remind(by=None, entry_id=pk) for pk in silent]


def availability_link_check(*, entry_id: int, token: str) -> ShortlistEntry:
    """The entry an availability link opens, without using the link; TokenRefused says why it opens nothing.

    A link is for one entry: another entry's number with it is as unknown as a made-up secret."""
    row = token_check(token=token, purpose=Purpose.AVAILABILITY_ANSWER, subject_id=entry_id)
    entry = (
        ShortlistEntry.objects.select_related("expert", "need", "need__requesting_state")
        .filter(pk=row.subject_id, removed_at__isnull=True, expert__erased_at__isnull=True)
        .first()
    )
    if entry is None:
        raise TokenRefused(TokenProblem.USED)
    return entry


@transaction.atomic
def availability_answer(*, entry_id: int, token: str, available: bool, comment: str) -> ShortlistEntry:
    """The expert's answer through the mailed link: the entry becomes available or declined, the link is used.

    An entry the secretariat has moved on meanwhile (an answer taken by telephone, a removal) keeps its state, and
    the link stays unused: the expert is told the answer is already recorded."""
    entry = availability_link_check(entry_id=entry_id, token=token)
    if entry.status != Status.CONTACTED:
        raise ValidationError(_("An answer for this mission is already recorded; thank you."), code="answered")
    token_use(token=token_check(token=token, purpose=Purpose.AVAILABILITY_ANSWER, subject_id=entry_id))
    return shortlist_status_set(
        by=None,
        entry_id=entry.pk,
        version=None,
        status=Status.AVAILABLE if available else Status.DECLINED,
        comment=comment,
        via="expert_link",
    )


# --- export -------------------------------------------------------------------------------------

EXPORT_COLUMNS = [
    "position",
    "expert_id",
    "family_name",
    "given_name",
    "email",
    "nationality",
    "regional_group",
    "status",
    "contacted_at",
    "answered_at",
    "expert_comment",
    "selected_at",
    "deployed_from",
    "deployed_until",
    "note",
]


def _iso(value: Any) -> str:
    return value.isoformat() if value is not None else ""


@transaction.atomic
def shortlist_export(*, by: User, need: Need, form: str) -> list[ShortlistEntry]:
    """The need's current shortlist for a file or a printed page; handing it out is recorded."""
    secretariat_only(by, operator_allowed=True)
    entries = list(
        ShortlistEntry.objects.filter(need=need, removed_at__isnull=True)
        .select_related("expert", "expert__nationality")
        .order_by("position", "id")
    )
    audit_record(
        actor=by,
        action=AuditAction.SHORTLIST_EXPORT,
        target=need,
        details={"need": need.pk, "form": form, "entries": [entry.pk for entry in entries]},
    )
    return entries


def shortlist_export_rows(entries: list[ShortlistEntry]) -> Iterator[list[object]]:
    for entry in entries:
        expert = entry.expert
        yield [
            entry.position,
            expert.pk,
            expert.family_name,
            expert.given_name,
            expert.email,
            expert.nationality_id,
            expert.nationality.regional_group,
            entry.status,
            _iso(entry.contacted_at),
            _iso(entry.answered_at),
            entry.answer_comment,
            _iso(entry.selected_at),
            _iso(entry.deployed_from),
            _iso(entry.deployed_until),
            entry.note,
        ]


# --- opening a full record ----------------------------------------------------------------------


def expert_record_justification(*, by: User, expert: Expert, need: Need | None, reason: str) -> dict[str, Any]:
    """What justifies opening an expert's full record from the workspace: a need, a reason, or both.

    The record view writes the audit row, with this justification, when it opens the record."""
    secretariat_only(by, operator_allowed=True)
    reason = reason.strip()
    if need is None and not reason:
        raise ValidationError(_("Name the need, or give the reason, for which you open this record."), code="required")
    return {"expert": expert.pk, "need": need.pk if need is not None else None, "reason": reason[:500]}
