"""The daily quota holds when one client's requests arrive together (PostgreSQL's row locks; SQLite has none)."""

import os
import threading

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client

from reference.models import Country
from stats.authentication import ApiClientRateThrottle
from stats.models import ApiClientCell, ApiClientDay
from stats.services import api_client_create, stats_refresh

pytestmark = pytest.mark.skipif(
    not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")),
    reason="concurrent row locking is PostgreSQL's; run with DATABASE_URL=postgres://...",
)

REQUESTS = 50
QUOTA = 20


@pytest.fixture
def reference_data(transactional_db):
    """Transactional tests empty every table afterwards; the reference data is loaded again when missing."""
    from django.apps import apps

    from reference.loading import load_reference_data
    from reference.models import Country

    if not Country.objects.exists():
        load_reference_data(apps, None)


def test_fifty_concurrent_requests_of_one_client_never_exceed_its_quota(reference_data, monkeypatch):
    assert connection.vendor == "postgresql"
    cache.clear()
    monkeypatch.setattr(ApiClientRateThrottle, "THROTTLE_RATES", {"stats_client": "10000/min"})
    stats_refresh()
    _client, key = api_client_create(name="Concurrent", days=1, daily_cell_quota=QUOTA)
    # Fifty distinct cells, one per request: the experts of fifty States.
    queries = [
        f"nationality={iso3}" for iso3 in Country.objects.order_by("iso3").values_list("iso3", flat=True)[:REQUESTS]
    ]
    start = threading.Barrier(len(queries))
    statuses: list[int] = []
    lock = threading.Lock()

    def ask(query: str) -> None:
        try:
            client = Client()
            start.wait()
            status = client.get(f"/api/v1/stats/experts/?{query}", HTTP_AUTHORIZATION=f"Token {key}").status_code
            with lock:
                statuses.append(status)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=ask, args=(query,)) for query in queries]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    day = ApiClientDay.objects.get()
    assert sorted(statuses) == [200] * QUOTA + [429] * (REQUESTS - QUOTA)
    assert day.cells_used == ApiClientCell.objects.count() == QUOTA
