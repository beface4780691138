"""Reads of the needs register, always scoped to what the asking user may see."""

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from needs.filters import NeedFilter
from needs.models import NEED_HISTORY, Need
from portal.history import FieldChange, history_changes


def need_visible(*, user: User) -> QuerySet[Need]:
    """Every need the user may see: all for the secretariat, its own State's for a focal point."""
    qs = Need.objects.select_related("requesting_state", "assistance_type", "created_by")
    if user.is_secretariat:
        return qs
    if user.is_focal_point:
        return qs.filter(requesting_state_id=user.state_id)
    return qs.none()


def need_list(*, user: User, filters: Mapping[str, str] | None = None) -> QuerySet[Need]:
    return need_search(user=user, filters=filters).qs


def need_search(*, user: User, filters: Mapping[str, str] | None = None) -> NeedFilter:
    """The bound filter set over what the user may see: its `.qs` gives the rows, its `.form` the filter form."""
    qs = need_visible(user=user).prefetch_related("articles", "working_languages")
    return NeedFilter(filters or {}, queryset=qs, user=user)


def need_get(*, user: User, pk: int) -> Need:
    """The need, or a 404 when it does not exist or belongs to another State: the two look alike."""
    return get_object_or_404(need_visible(user=user).prefetch_related("articles__chapter", "working_languages"), pk=pk)


def need_history(*, need: Need, limit: int = 20) -> list[tuple[Any, list[FieldChange]]]:
    """The latest history rows of a need read through need_get, newest first, each with what it changed.

    A need holds nothing confidential: every change is shown with its old and new value.
    """
    rows = list(need.history.select_related("history_user").order_by("-history_date", "-history_id")[: limit + 1])
    changes = history_changes(rows, model=Need, records=NEED_HISTORY)
    return [(row, changes.get(row.history_id, [])) for row in rows[:limit]]
