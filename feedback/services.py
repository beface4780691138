"""Ratings of deployments: the requesting State's focal point rates the assistance, the expert the assignment.

Each side rates a deployment once. Every rating and every request for the expert's rating writes an audit row
in the same transaction; the rows hold the score but never the comment, which is prose about or by a person
and stays on the rating, where erasure finds it.
"""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from accounts.tokens import Purpose, token_check, token_issue, token_use
from audit.actions import AuditAction
from audit.services import audit_record
from feedback.models import SCORES, Rating
from matching.models import ShortlistEntry
from needs.models import Need
from portal.mail import mail_send

# How long the expert's rating link works; a newer link for the same deployment voids the older one.
RATING_LINK_TTL = timedelta(days=30)


def _deployed(queryset=None):
    return (queryset if queryset is not None else ShortlistEntry.objects.all()).filter(
        status=ShortlistEntry.Status.DEPLOYED, removed_at__isnull=True
    )


def _check_rating(*, score: int, comment: str) -> str:
    if score not in SCORES:
        raise ValidationError({"score": _("Choose a score from 1 to 5.")}, code="score")
    return comment.strip()


def _record(*, entry: ShortlistEntry, rater: str, by: User | None, score: int, comment: str) -> Rating:
    if Rating.objects.filter(shortlist_entry=entry, rater=rater).exists():
        raise ValidationError(_("This deployment has already been rated."), code="already_rated")
    rating = Rating.objects.create(shortlist_entry=entry, rater=rater, rated_by=by, score=score, comment=comment)
    audit_record(
        actor=by,
        action=AuditAction.RATING_GIVE,
        target=rating,
        details={
            "rater": rater,
            "shortlist_entry": entry.pk,
            "need": entry.need_id,
            "expert": entry.expert_id,
            "score": score,
            "comment_given": bool(comment),
        },
    )
    return rating


@transaction.atomic
def rating_give_by_state(*, by: User, need: Need, entry_id: int, score: int, comment: str = "") -> Rating:
    """A focal point of the requesting State rates the assistance one deployed expert gave on the need."""
    if not (getattr(by, "is_focal_point", False) and by.state_id == need.requesting_state_id):
        raise PermissionDenied
    comment = _check_rating(score=score, comment=comment)
    # Locked, so that two colleagues rating at once give one rating, and the other is told.
    entry = _deployed().select_for_update().filter(pk=entry_id, need=need).first()
    if entry is None:
        raise Http404
    return _record(entry=entry, rater=Rating.Rater.STATE, by=by, score=score, comment=comment)


@transaction.atomic
def rating_request_expert(*, by: User, entry_id: int) -> ShortlistEntry:
    """Mail the deployed expert a one-time link to rate the assignment, in the expert's language."""
    if not getattr(by, "is_secretariat", False):
        raise PermissionDenied
    entry = _deployed().select_related("need", "need__requesting_state", "expert").filter(pk=entry_id).first()
    if entry is None or entry.expert.erased_at is not None:
        raise Http404
    if Rating.objects.filter(shortlist_entry=entry, rater=Rating.Rater.EXPERT).exists():
        raise ValidationError(_("The expert has already rated this assignment."), code="already_rated")
    token = token_issue(purpose=Purpose.DEPLOYMENT_RATING, subject_id=entry.pk, ttl=RATING_LINK_TTL)
    expert = entry.expert
    mail_send(
        to=expert.email,
        language=expert.mail_language(),
        subject=gettext_lazy("How did your assignment go? Your rating for the UNCAC secretariat"),
        template="feedback/email/rating_request.txt",
        context={
            "expert": expert,
            "entry": entry,
            "need": entry.need,
            "link": settings.SITE_URL + reverse("feedback:expert_rating", args=[token]),
            "days": RATING_LINK_TTL.days,
        },
    )
    audit_record(
        actor=by,
        action=AuditAction.RATING_REQUEST,
        target=entry,
        details={"need": entry.need_id, "expert": entry.expert_id},
    )
    return entry


def rating_link_entry(*, token: str) -> ShortlistEntry:
    """The deployment a rating link was sent for, while the link is open; raises TokenRefused or Http404."""
    row = token_check(token=token, purpose=Purpose.DEPLOYMENT_RATING)
    entry = (
        _deployed()
        .select_related("need", "need__requesting_state", "need__assistance_type", "expert")
        .filter(pk=row.subject_id, expert__erased_at__isnull=True)
        .first()
    )
    if entry is None:
        raise Http404
    return entry


@transaction.atomic
def rating_give_by_expert(*, token: str, score: int, comment: str = "") -> Rating:
    """The expert rates the assignment through the mailed link, which this uses up."""
    comment = _check_rating(score=score, comment=comment)
    row = token_check(token=token, purpose=Purpose.DEPLOYMENT_RATING)
    entry = _deployed().select_for_update().filter(pk=row.subject_id, expert__erased_at__isnull=True).first()
    if entry is None:
        raise Http404
    token_use(token=row)
    return _record(entry=entry, rater=Rating.Rater.EXPERT, by=None, score=score, comment=comment)
