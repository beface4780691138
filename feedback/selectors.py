"""Reads of deployments and their ratings: a need's, for the State that asked for it; the whole history, for the
secretariat."""

from collections.abc import Mapping

from django.db.models import Max, Prefetch, QuerySet
from django_filters import CharFilter, DateFilter, NumberFilter

from accounts.models import OneTimeToken, User
from feedback.models import Rating
from matching.models import ShortlistEntry
from needs.models import Need
from needs.selectors import need_get
from portal.filters import StrictFilterSet


def _deployments() -> QuerySet[ShortlistEntry]:
    return (
        ShortlistEntry.objects.filter(status=ShortlistEntry.Status.DEPLOYED, removed_at__isnull=True)
        .select_related("expert")
        .prefetch_related(Prefetch("ratings", queryset=Rating.objects.select_related("rated_by")))
    )


def need_deployments(*, user: User, need_pk: int) -> tuple[Need, list[ShortlistEntry]]:
    """The need (another State's is a 404, like an absent one) and the experts deployed on it, with ratings."""
    need = need_get(user=user, pk=need_pk)
    return need, list(_deployments().filter(need=need).order_by("deployed_from", "pk"))


class DeploymentFilter(StrictFilterSet):
    expert = NumberFilter(field_name="expert_id")
    state = CharFilter(field_name="need__requesting_state__iso3", lookup_expr="iexact")
    deployed_from = DateFilter(field_name="deployed_from", lookup_expr="gte")

    class Meta:
        model = ShortlistEntry
        fields: list[str] = []


def deployment_history(*, user: User, filters: Mapping[str, str] | None = None) -> DeploymentFilter:
    """Every deployment, latest first, for the secretariat only (a deployment history names people)."""
    queryset = _deployments() if user.is_secretariat else ShortlistEntry.objects.none()
    queryset = queryset.select_related("need", "need__requesting_state", "expert__nominating_state").order_by(
        "-deployed_from", "-pk"
    )
    return DeploymentFilter(filters or {}, queryset)


def rating_links_sent(*, entries: list[ShortlistEntry]) -> dict[int, object]:
    """When the latest rating link went to each of these deployments' experts (entry id -> time)."""
    rows = (
        OneTimeToken.objects.filter(
            purpose=OneTimeToken.Purpose.DEPLOYMENT_RATING, subject_id__in=[entry.pk for entry in entries]
        )
        .values("subject_id")
        .annotate(last=Max("created_at"))
    )
    return {row["subject_id"]: row["last"] for row in rows}


def ratings_by_side(entry: ShortlistEntry) -> dict[str, Rating]:
    """The deployment's ratings by rater ("state", "expert"), from the prefetched rows."""
    return {rating.rater: rating for rating in entry.ratings.all()}
