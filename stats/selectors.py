"""Reads of the published figures. They take no user: what they return is public by construction.

A request of the API is answered from the shared cache when it can be (issue 11's benchmark): the verified
client, its throttle history, the latest snapshot's id, the published table of the normalised query in the
request's language, and whether the client was already charged today for exactly these cells. The cache
holds published values only, never a true count; the database stays the authority (a miss reads it).
"""

import hashlib
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import timezone, translation
from rest_framework_api_key.crypto import KeyGenerator

from stats.dimensions import StatsQuery, dimension
from stats.disclosure import ROUNDING_BASE, publish
from stats.models import ApiClient, StatsCell, StatsSnapshot

CACHE_SECONDS = 24 * 3600
# The latest snapshot's id; refresh_stats sets it, a request that finds it missing puts it back.
LATEST_KEY = "stats:latest"
LATEST_SECONDS = 300
# A verified client is remembered this long; revoking it forgets it at once.
CLIENT_SECONDS = 60


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def stats_snapshot_latest() -> StatsSnapshot | None:
    return StatsSnapshot.objects.order_by("-created_at", "-id").first()


@lru_cache(maxsize=4096)
def stats_query_cells(query: StatsQuery) -> tuple[str, ...]:
    """Every cell a query publishes: its total first, then one per code of the group-by dimension."""
    cells = [query.total_cell()]
    if query.group_by is not None:
        cells += [query.row_cell(code) for code, _label in dimension(query.measure, query.group_by).codes()]
    return tuple(cells)


def _published_cells(*, snapshot: StatsSnapshot, measure: str, cells: tuple[str, ...], threshold: int) -> list[dict]:
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


def _answer_key(query: StatsQuery) -> str:
    # Labels are translated: the language is part of the answer, as is the threshold.
    normalised = f"{query.measure}|{query.group_by}|{query.filters}"
    return f"stats:answer:{translation.get_language()}:{settings.STATS_THRESHOLD}:{_digest(normalised)}"


def api_client_answered_key(*, client_id: object, day: date, measure: str, cells: tuple[str, ...]) -> str:
    """Where the cache notes that a client was charged for exactly these cells on that day."""
    return f"stats:answered:{client_id}:{day.isoformat()}:{measure}:{_digest('|'.join(cells))}"


@dataclass(frozen=True)
class CachedAnswer:
    table: dict[str, object] | None  # None: not in the cache for the latest snapshot
    answered: bool  # the client was already charged today for exactly these cells


def stats_answer_cached(*, query: StatsQuery, client: ApiClient) -> CachedAnswer:
    """What the shared cache already knows of a request, in one round trip."""
    answer_key = _answer_key(query)
    answered_key = api_client_answered_key(
        client_id=client.pk, day=timezone.localdate(), measure=query.measure, cells=stats_query_cells(query)
    )
    found = cache.get_many([LATEST_KEY, answer_key, answered_key])
    latest, answer = found.get(LATEST_KEY), found.get(answer_key)
    table = answer["table"] if latest is not None and answer is not None and answer["snapshot"] == latest else None
    return CachedAnswer(table=table, answered=answered_key in found)


def stats_table(*, snapshot: StatsSnapshot, query: StatsQuery) -> dict[str, object]:
    """The published table: every cell under the threshold, or absent from the snapshot, looks alike.

    `snapshot` is the latest one: the table is kept in the shared cache as that snapshot's answer."""
    threshold = settings.STATS_THRESHOLD
    total, *cells = _published_cells(
        snapshot=snapshot, measure=query.measure, cells=stats_query_cells(query), threshold=threshold
    )
    rows = []
    if query.group_by is not None:
        codes = dimension(query.measure, query.group_by).codes()
        rows = [{"key": code, "label": str(label), **cell} for (code, label), cell in zip(codes, cells, strict=True)]
    table = {
        "as_of": snapshot.created_at,
        "measure": query.measure,
        "group_by": query.group_by,
        "filters": dict(query.filters),
        "threshold": threshold,
        "rounding": ROUNDING_BASE,
        "total": total,
        "rows": rows,
    }
    cache.set(_answer_key(query), {"snapshot": snapshot.pk, "table": table}, timeout=CACHE_SECONDS)
    cache.add(LATEST_KEY, snapshot.pk, timeout=LATEST_SECONDS)
    return table


# --- API clients -----------------------------------------------------------------------------------

CLIENT_FIELDS = ("id", "prefix", "hashed_key", "name", "expiry_date", "daily_cell_quota")


def api_client_cache_key(prefix: str) -> str:
    return f"stats:client:{prefix}"


def _client_remembered(key: str, remembered: dict[str, Any]) -> ApiClient | None:
    """The remembered client, if the key hashes to its hash (the same check the library makes)."""
    if not KeyGenerator().verify(key, remembered["hashed_key"]):
        return None
    client = ApiClient(**remembered, revoked=False)
    client._state.adding = False
    client._state.db = "default"
    return client


def api_client_for_key(key: str, *, remembered: dict[str, Any] | None = None) -> ApiClient | None:
    """The client holding this key, unless the key is unknown, revoked or expired.

    `remembered` is what the shared cache holds under api_client_cache_key(the key's prefix), read by the
    caller with its other keys; a client verified against the database is remembered for CLIENT_SECONDS."""
    if remembered is not None:
        client = _client_remembered(key, remembered)
    else:
        try:
            client = ApiClient.objects.get_from_key(key)
        except ApiClient.DoesNotExist:
            return None
        seconds = CLIENT_SECONDS
        if client.expiry_date is not None:
            seconds = min(seconds, int((client.expiry_date - timezone.now()).total_seconds()))
        if seconds > 0 and not client.revoked:
            fields = {name: getattr(client, name) for name in CLIENT_FIELDS}
            cache.set(api_client_cache_key(client.prefix), fields, timeout=seconds)
    return None if client is None or client.has_expired else client
