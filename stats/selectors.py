"""Reads of the published figures. They take no user: what they return is public by construction."""

import hashlib

from django.conf import settings
from django.core.cache import cache

from stats.dimensions import StatsQuery, dimension
from stats.disclosure import ROUNDING_BASE, publish
from stats.models import ApiClient, StatsCell, StatsSnapshot

CACHE_SECONDS = 24 * 3600


def stats_snapshot_latest() -> StatsSnapshot | None:
    return StatsSnapshot.objects.order_by("-created_at", "-id").first()


def stats_query_cells(query: StatsQuery) -> list[str]:
    """Every cell a query publishes: its total first, then one per code of the group-by dimension."""
    cells = [query.total_cell()]
    if query.group_by is not None:
        cells += [query.row_cell(code) for code, _label in dimension(query.measure, query.group_by).codes()]
    return cells


def _published_cells(*, snapshot: StatsSnapshot, measure: str, cells: list[str], threshold: int) -> list[dict]:
    """The published form of each cell, in order; kept in the shared cache, which so never holds a true count.

    A snapshot's figures never change and a refresh makes a new snapshot, so the cache needs no invalidation.
    """
    cache_key = (
        "stats:"
        + hashlib.sha256(
            f"{snapshot.pk}|{snapshot.created_at.isoformat()}|{threshold}|{measure}|{'|'.join(cells)}".encode()
        ).hexdigest()
    )
    published = cache.get(cache_key)
    if published is None:
        rows = StatsCell.objects.filter(snapshot=snapshot, measure=measure, cell__in=cells)
        stored = {cell: (count, key_sum) for cell, count, key_sum in rows.values_list("cell", "count", "key_sum")}
        published = [
            publish(count=c, key_sum=k, threshold=threshold) for c, k in (stored.get(x, (0, 0)) for x in cells)
        ]
        cache.set(cache_key, published, timeout=CACHE_SECONDS)
    return published


def stats_table(*, snapshot: StatsSnapshot, query: StatsQuery) -> dict[str, object]:
    """The published table: every cell under the threshold, or absent from the snapshot, looks alike."""
    threshold = settings.STATS_THRESHOLD
    total, *cells = _published_cells(
        snapshot=snapshot, measure=query.measure, cells=stats_query_cells(query), threshold=threshold
    )
    rows = []
    if query.group_by is not None:
        codes = dimension(query.measure, query.group_by).codes()
        rows = [{"key": code, "label": str(label), **cell} for (code, label), cell in zip(codes, cells, strict=True)]
    return {
        "as_of": snapshot.created_at,
        "measure": query.measure,
        "group_by": query.group_by,
        "filters": dict(query.filters),
        "threshold": threshold,
        "rounding": ROUNDING_BASE,
        "total": total,
        "rows": rows,
    }


def api_client_for_key(key: str) -> ApiClient | None:
    """The client holding this key, unless the key is unknown, revoked or expired."""
    try:
        client = ApiClient.objects.get_from_key(key)
    except ApiClient.DoesNotExist:
        return None
    return None if client.has_expired else client
