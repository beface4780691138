"""Reads of the roster, scoped to what the person asking may see; the staleness annotation; the matching pool."""

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db.models import BooleanField, Case, DateTimeField, Prefetch, Q, QuerySet, Value, When
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils import timezone

from accounts.models import User
from roster.duplicates import expert_possible_duplicates_of
from roster.filters import ExpertFilter
from roster.models import Expert, ExpertArticle, ExpertLanguage, NominationDraft


def expert_visible(*, user: User) -> QuerySet[Expert]:
    """Every expert the user may see: a focal point its own State's, the secretariat all, anyone else none."""
    qs = Expert.objects.all()
    if getattr(user, "is_secretariat", False):
        return qs
    if getattr(user, "is_focal_point", False):
        # The confidentiality promise lives here: a State sees its own nominations and nothing else.
        return qs.filter(nominating_state_id=user.state_id)
    return qs.none()


def expert_search(*, user: User, filters: Mapping[str, object] | None = None) -> ExpertFilter:
    """The bound filter set over what the user may see: its `.qs` gives the rows, its `.form` the search form."""
    qs = expert_with_staleness(expert_visible(user=user)).select_related("nationality", "nominating_state")
    qs = qs.prefetch_related(
        Prefetch("languages", queryset=ExpertLanguage.objects.order_by("-level", "language_id")),
        Prefetch("expertise", queryset=ExpertArticle.objects.order_by("article_id")),
    )
    # Bad filter input is dropped by the filter form (the page shows why) rather than failing the list.
    search = ExpertFilter(filters or None, queryset=qs)
    if not getattr(user, "is_secretariat", False):
        # A focal point sees one State; choosing among States means nothing to it.
        del search.filters["nominating_state"]
    return search


def expert_get(*, user: User, pk: int) -> Expert:
    """One full record, or 404 when it is absent or not the user's to see (the two look alike)."""
    qs = expert_with_staleness(expert_visible(user=user))
    qs = qs.select_related("nationality", "nominating_state", "created_by")
    qs = qs.prefetch_related(
        Prefetch("languages", queryset=ExpertLanguage.objects.select_related("language")),
        Prefetch("expertise", queryset=ExpertArticle.objects.select_related("article__chapter")),
        "employment",
        "education",
        "assistance_types",
        "countries_worked_in",
        "declared_conflict_states",
    )
    return get_object_or_404(qs, pk=pk)


def expert_duplicates_for(*, user: User, expert: Expert) -> list[Expert]:
    """Possible duplicates of an expert among the records the user may open.

    Whether another State nominated the same person is not a focal point's to learn, not even as a bare
    "exists elsewhere" (it would tell anyone who types an e-mail address whether that person is on the
    roster); the nomination's audit row keeps every match, and the secretariat sees them all.
    """
    return list(expert_possible_duplicates_of(expert).filter(pk__in=expert_visible(user=user).values("pk")))


def expert_may_see(*, user: User, expert: Expert) -> bool:
    """The same rule as expert_visible, for one record already in hand."""
    if getattr(user, "is_secretariat", False):
        return True
    return bool(getattr(user, "is_focal_point", False) and expert.nominating_state_id == user.state_id)


def _stale_cutoff(now: datetime) -> datetime:
    return now - timedelta(days=settings.ROSTER_STALE_AFTER_DAYS)


def expert_with_staleness(queryset: QuerySet[Expert] | None = None, *, now: datetime | None = None) -> QuerySet[Expert]:
    """Annotate `confirmed_on` (last confirmation, or creation for a profile never confirmed) and `is_stale`."""
    now = now or timezone.now()
    queryset = Expert.objects.all() if queryset is None else queryset
    return queryset.annotate(
        confirmed_on=Coalesce("last_confirmed_at", "created_at", output_field=DateTimeField()),
    ).annotate(
        is_stale=Case(
            When(confirmed_on__lt=_stale_cutoff(now), then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    )


def expert_stale(queryset: QuerySet[Expert] | None = None, *, now: datetime | None = None) -> QuerySet[Expert]:
    """Profiles not confirmed for longer than ROSTER_STALE_AFTER_DAYS."""
    return expert_with_staleness(queryset, now=now).filter(is_stale=True)


def expert_on_roster() -> QuerySet[Expert]:
    """Active, consenting experts whose data is not erased: the roster that matching, the dashboard and the
    statistics describe. It takes no user on purpose: its callers are the secretariat's services and the
    anonymised statistics, which scope or aggregate their own output."""
    return Expert.objects.filter(status=Expert.Status.ACTIVE, consent_given_at__isnull=False, erased_at__isnull=True)


def expert_matchable(*, on: date | None = None) -> QuerySet[Expert]:
    """The pool matching draws from: the roster, less those not available on the given day."""
    day = on or timezone.localdate()
    return expert_on_roster().filter(
        Q(available_from__isnull=True) | Q(available_from__lte=day),
        Q(available_until__isnull=True) | Q(available_until__gte=day),
    )


def draft_visible(*, user: User) -> QuerySet[NominationDraft]:
    """Unsaved CV templates of the user's State: its focal points only (not even the secretariat)."""
    if not getattr(user, "is_focal_point", False):
        return NominationDraft.objects.none()
    return NominationDraft.objects.filter(nominating_state_id=user.state_id).select_related("created_by")


def draft_get(*, user: User, pk: int) -> NominationDraft:
    return get_object_or_404(draft_visible(user=user), pk=pk)


def draft_list_new(*, user: User) -> QuerySet[NominationDraft]:
    """Drafts of nominations not saved even once, newest first, for the nomination page to offer."""
    return draft_visible(user=user).filter(expert__isnull=True)
