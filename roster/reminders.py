"""Keeping the roster current: stale profiles are reminded, then retired, and their focal points told."""

from dataclasses import dataclass, field
from datetime import datetime, timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import DateTimeField, ExpressionWrapper, F, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from portal.mail import mail_send
from roster.consent import confirmation_request
from roster.models import Expert
from roster.roster_version import roster_version_bump
from roster.selectors import expert_stale


@dataclass
class ReminderRun:
    now: datetime
    dry_run: bool
    reminded: list[Expert] = field(default_factory=list)
    deactivated: list[Expert] = field(default_factory=list)
    focal_point_mails: int = 0


def _focal_points_by_state(state_ids: set[str]) -> dict[str, list[User]]:
    by_state: dict[str, list[User]] = {}
    for user in User.objects.filter(role=User.Role.FOCAL_POINT, is_active=True, state_id__in=state_ids).order_by("pk"):
        by_state.setdefault(user.state_id, []).append(user)
    return by_state


@transaction.atomic
def expert_update_reminders_send(*, now: datetime | None = None, dry_run: bool = False) -> ReminderRun:
    """Keep the roster current: retire long-stale active profiles, then remind the stale ones.

    A profile becomes inactive only once it has been stale for longer than the grace period AND a reminder was
    sent after it became stale, so nobody is retired without having been told. Reminders go at most once per
    ROSTER_REMINDER_INTERVAL_DAYS per expert; each carries a fresh one-time link (voiding older ones).
    """
    now = now or timezone.now()
    run = ReminderRun(now=now, dry_run=dry_run)
    stale_after = timedelta(days=settings.ROSTER_STALE_AFTER_DAYS)
    grace = timedelta(days=settings.ROSTER_STALE_GRACE_DAYS)
    stale_active = expert_stale(
        Expert.objects.filter(status=Expert.Status.ACTIVE, erased_at__isnull=True), now=now
    ).select_related("nominating_state")

    past_grace = list(
        stale_active.annotate(
            stale_since=ExpressionWrapper(F("confirmed_on") + stale_after, output_field=DateTimeField())
        )
        .filter(confirmed_on__lt=now - stale_after - grace, last_reminder_at__gte=F("stale_since"))
        .order_by("pk")
    )
    run.deactivated = past_grace
    if not dry_run:
        for expert in past_grace:
            expert.status = Expert.Status.INACTIVE
            expert.version += 1
            expert.save(update_fields=["status", "version", "updated_at"])
            roster_version_bump()
            audit_record(
                actor=None,
                action=AuditAction.EXPERT_DEACTIVATE_STALE,
                target=expert,
                details={"by": "send_update_reminders", "confirmed_on": expert.confirmed_on.isoformat()},
            )

    retired = {expert.pk for expert in past_grace}
    due = [
        expert
        for expert in stale_active.filter(
            Q(last_reminder_at__isnull=True)
            | Q(last_reminder_at__lte=now - timedelta(days=settings.ROSTER_REMINDER_INTERVAL_DAYS))
        ).order_by("nominating_state_id", "pk")
        if expert.pk not in retired
    ]
    run.reminded = due
    focal_points = _focal_points_by_state({expert.nominating_state_id for expert in due})
    run.focal_point_mails = len(
        {user.pk for expert in due for user in focal_points.get(expert.nominating_state_id, [])}
    )
    if dry_run:
        return run

    for expert in due:
        confirmation_request(
            expert=expert,
            now=now,
            template="roster/email/update_reminder_expert.txt",
            subject=gettext_lazy("Is your profile on the UNCAC expert roster still current?"),
        )
        expert.last_reminder_at = now
        expert.save(update_fields=["last_reminder_at"])
        audit_record(
            actor=None,
            action=AuditAction.EXPERT_UPDATE_REMINDER,
            target=expert,
            details={"by": "send_update_reminders", "confirmed_on": expert.confirmed_on.isoformat()},
        )
    _mail_focal_points(due=due, focal_points=focal_points)
    return run


def _mail_focal_points(*, due: list[Expert], focal_points: dict[str, list[User]]) -> None:
    """One mail per focal point listing every expert of their State reminded in this run."""
    experts_by_state: dict[str, list[Expert]] = {}
    for expert in due:
        experts_by_state.setdefault(expert.nominating_state_id, []).append(expert)
    for state_id, experts in experts_by_state.items():
        for user in focal_points.get(state_id, []):
            mail_send(
                to=user.email,
                language=user.language,
                subject=gettext_lazy("Expert profiles of your State need to be confirmed"),
                template="roster/email/update_reminder_focal_point.txt",
                context={
                    "focal_point": user,
                    "state": experts[0].nominating_state,
                    "experts": [
                        (expert, settings.SITE_URL + reverse("roster:expert_detail", args=[expert.pk]))
                        for expert in experts
                    ],
                    "stale_after_days": settings.ROSTER_STALE_AFTER_DAYS,
                    "grace_days": settings.ROSTER_STALE_GRACE_DAYS,
                },
            )
