"""The roster's part of the home page: nominations that wait for someone, for the person signed in."""

from datetime import timedelta

from django.db.models import Count, Q, QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from accounts.models import User
from portal.attention import AttentionItem
from roster.models import Expert
from roster.selectors import expert_visible, expert_with_staleness

EXAMPLES = 5
RECENT_REJECTIONS = timedelta(days=30)
Status = Expert.Status


def _buckets(user: User) -> dict[str, tuple[str, Q, dict[str, str]]]:
    """Each kind of item: its title, which experts it holds, and the roster list's filter that shows them all."""
    now = timezone.now()
    if user.is_secretariat:
        return {
            "submitted": (_("Nominations waiting for validation"), Q(status=Status.SUBMITTED), {"status": "submitted"}),
            "pending": (
                _("Changes to active profiles waiting for validation"),
                Q(status=Status.ACTIVE, revalidation_pending=True),
                {"status": "active"},
            ),
        }
    return {
        "changes": (
            _("The secretariat asked for changes"),
            Q(status=Status.CHANGES_REQUESTED),
            {"status": "changes_requested"},
        ),
        "rejected": (
            _("Rejected in the last 30 days"),
            Q(status=Status.REJECTED, updated_at__gte=now - RECENT_REJECTIONS),
            {"status": "rejected"},
        ),
        "consent": (
            _("Waiting for the expert's consent"),
            Q(consent_given_at__isnull=True, confirmation_requested_at__isnull=False)
            & ~Q(status__in=[Status.WITHDRAWN, Status.REJECTED]),
            {},
        ),
        "stale": (
            _("Profiles to confirm as still current"),
            Q(is_stale=True, status=Status.ACTIVE),
            {"status": "active", "stale": "true"},
        ),
        "drafts": (_("Drafts not yet submitted"), Q(status=Status.DRAFT), {"status": "draft"}),
    }


def expert_attention(user: User) -> list[AttentionItem]:
    """A query for the counts, and one per non-empty kind for its first few experts, whatever the roster's size."""
    if not (user.is_secretariat or user.is_focal_point):
        return []
    experts: QuerySet[Expert] = expert_with_staleness(expert_visible(user=user))
    buckets = _buckets(user)
    counts = experts.aggregate(**{key: Count("pk", filter=where) for key, (_title, where, _f) in buckets.items()})
    items = []
    listing = reverse("roster:expert_list")
    # The secretariat decides from the record in its restricted admin; a focal point acts from the portal's page.
    record = "admin:roster_expert_change" if user.is_secretariat else "roster:expert_detail"
    for key, (title, where, filters) in buckets.items():
        if not counts[key]:
            continue
        first = experts.filter(where).select_related("nominating_state").order_by("updated_at", "pk")[:EXAMPLES]
        items.append(
            AttentionItem(
                title=title,
                count=counts[key],
                examples=[
                    (
                        f"{expert.family_name}, {expert.given_name}",
                        reverse(record, args=[expert.pk]),
                        expert.secretariat_message if key in ("changes", "rejected") else "",
                    )
                    for expert in first
                ],
                more_url=f"{listing}?{urlencode(filters)}" if filters else "",
            )
        )
    return items
