"""Reads of the roster, always scoped to what the person asking may see."""

from collections.abc import Mapping

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from roster.duplicates import expert_possible_duplicates_of
from roster.filters import ExpertFilter
from roster.lifecycle import expert_with_staleness
from roster.models import Expert, ExpertArticle, ExpertLanguage


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
