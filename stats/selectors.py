"""Reads of the published figures. They take no user: what they return is public by construction."""

from django.conf import settings

from stats.dimensions import StatsQuery, dimension
from stats.disclosure import ROUNDING_BASE, publish
from stats.models import ApiClient, StatsCell, StatsSnapshot


def stats_snapshot_latest() -> StatsSnapshot | None:
    return StatsSnapshot.objects.order_by("-created_at", "-id").first()


def stats_query_cells(query: StatsQuery) -> list[str]:
    """Every cell a query publishes: its total first, then one per code of the group-by dimension."""
    cells = [query.total_cell()]
    if query.group_by is not None:
        cells += [query.row_cell(code) for code, _label in dimension(query.measure, query.group_by).codes()]
    return cells


def stats_table(*, snapshot: StatsSnapshot, query: StatsQuery) -> dict[str, object]:
    """The published table: every cell under the threshold, or absent from the snapshot, looks alike."""
    threshold = settings.STATS_THRESHOLD
    rows_stored = StatsCell.objects.filter(snapshot=snapshot, measure=query.measure, cell__in=stats_query_cells(query))
    stored = {cell: (count, key_sum) for cell, count, key_sum in rows_stored.values_list("cell", "count", "key_sum")}

    def published(cell: str) -> dict[str, object]:
        count, key_sum = stored.get(cell, (0, 0))
        return publish(count=count, key_sum=key_sum, threshold=threshold)

    rows = []
    if query.group_by is not None:
        rows = [
            {"key": code, "label": str(label), **published(query.row_cell(code))}
            for code, label in dimension(query.measure, query.group_by).codes()
        ]
    return {
        "as_of": snapshot.created_at,
        "measure": query.measure,
        "group_by": query.group_by,
        "filters": dict(query.filters),
        "threshold": threshold,
        "rounding": ROUNDING_BASE,
        "total": published(query.total_cell()),
        "rows": rows,
    }


def api_client_for_key(key: str) -> ApiClient | None:
    """The client holding this key, unless the key is unknown, revoked or expired."""
    try:
        client = ApiClient.objects.get_from_key(key)
    except ApiClient.DoesNotExist:
        return None
    return None if client.has_expired else client
