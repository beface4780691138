"""Requests per second and latency of the statistics API (experts endpoint) under gunicorn.

    .venv/bin/python benchmarks/bench_stats.py [--experts 3000] [--needs 500] [--workers 3]
        [--clients 12] [--duration 30] [--database-url postgres://postgres@127.0.0.1:5432/portal_bench_stats]
        [--cache-url redis://127.0.0.1:6379/5]

Creates (or empties) the named PostgreSQL database, migrates it, seeds demo data with
`seed_demo`, counts a snapshot with `refresh_stats`, creates an API client, then starts
`gunicorn portal.wsgi --workers N` on a free local port and sends requests from Python threads
(each a client of its own, one connection per request as gunicorn's sync workers close them) for
the given duration. The queries cycle through every group_by of the experts endpoint, alone and
under one or two filters, so that each request reads a real table. Prints requests per second,
p50/p95/p99 latency and any non-200 answer. The cache is Redis by default, shared by the workers
as in production (the throttle, the remembered clients and the cached answers live there). The load
generator runs on the same machine and takes its share of the CPU: the figures are for this
machine, load generator included.
"""

import argparse
import http.client
import io
import os
import statistics
import sys
import threading
import time
from pathlib import Path
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))
from serving import free_port, gunicorn_start, gunicorn_stop, workers_cpu_seconds  # noqa: E402

QUERIES = [
    "group_by=regional_group",
    "group_by=gender&language=fr",
    "group_by=sector&regional_group=AFR",
    "group_by=chapter&gender=female&language=en",
    "group_by=article",
    "group_by=language&regional_group=WEOG",
    "group_by=nationality",
    "group_by=legal_system&sector=judiciary",
    "group_by=assistance_type&chapter=IV",
    "regional_group=GRULAC&language=es",
]


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=3000)
    parser.add_argument("--needs", type=int, default=500)
    parser.add_argument("--workers", type=int, default=3)
    parser.add_argument("--clients", type=int, default=12, help="concurrent load-generating threads")
    parser.add_argument("--duration", type=float, default=30.0, help="seconds of measured load")
    parser.add_argument("--warmup", type=float, default=3.0, help="seconds of load before measuring")
    parser.add_argument("--database-url", default="postgres://postgres@127.0.0.1:5432/portal_bench_stats")
    parser.add_argument(
        "--cache-url", default="redis://127.0.0.1:6379/5", help="the shared cache (locmem:// is per worker)"
    )
    return parser.parse_args()


def _fresh_database(url: str) -> None:
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    admin = psycopg2.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password or "",
        dbname="postgres",
    )
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}"')
        cursor.execute(f'CREATE DATABASE "{name}"')
    admin.close()


def _environment(database_url: str, cache_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SECRET_KEY": "benchmark-only-secret-key-" + "b" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "WARNING",
        # The throttle would rightly stop one client asking this fast; the quota stays on.
        "STATS_CLIENT_RATE": "1000000/min",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def _prepare(args: argparse.Namespace, env: dict[str, str]) -> str:
    os.environ.update(env)
    import django

    django.setup()
    from django.core.management import call_command

    from stats.services import api_client_create, stats_refresh

    call_command("migrate", verbosity=0, interactive=False)
    started = time.perf_counter()
    call_command("seed_demo", experts=args.experts, needs=args.needs, seed=1, force=True, stdout=io.StringIO())
    print(f"seeded {args.experts} experts and {args.needs} needs in {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    snapshot = stats_refresh()
    print(f"refresh_stats: {snapshot.cells.count()} cells in {time.perf_counter() - started:.1f} s")
    _client, key = api_client_create(name="Benchmark", days=1, daily_cell_quota=10_000_000)
    from django.db import connections

    connections.close_all()
    return key


def _load(port: int, key: str, clients: int, warmup: float, duration: float) -> tuple[list[float], dict[int, int], int]:
    latencies: list[float] = []
    statuses: dict[int, int] = {}
    sent = [0]
    lock = threading.Lock()
    start_measuring = time.monotonic() + warmup
    stop = start_measuring + duration
    headers = {"Authorization": f"Token {key}"}

    def run(offset: int) -> None:
        own_latencies: list[float] = []
        own_sent = [0]
        own_statuses: dict[int, int] = {}
        index = offset
        while True:
            now = time.monotonic()
            if now >= stop:
                break
            query = QUERIES[index % len(QUERIES)]
            index += 1
            own_sent[0] += 1
            began = time.perf_counter()
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
                connection.request("GET", f"/api/v1/stats/experts/?{query}", headers=headers)
                response = connection.getresponse()
                response.read()
                status = response.status
                connection.close()
            except OSError:
                status = 0
            elapsed = time.perf_counter() - began
            if now >= start_measuring:
                own_latencies.append(elapsed)
                own_statuses[status] = own_statuses.get(status, 0) + 1
        with lock:
            sent[0] += own_sent[0]
            latencies.extend(own_latencies)
            for status, count in own_statuses.items():
                statuses[status] = statuses.get(status, 0) + count

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return latencies, statuses, sent[0]


def _percentile(values: list[float], fraction: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]


def main() -> None:
    args = _parse()
    _fresh_database(args.database_url)
    env = _environment(args.database_url, args.cache_url)
    key = _prepare(args, env)
    port = free_port()
    server = gunicorn_start(env=env, workers=args.workers, port=port)
    load = os.getloadavg()[0]
    try:
        cpu_before = workers_cpu_seconds(server)
        latencies, statuses, sent = _load(port, key, args.clients, args.warmup, args.duration)
        # Warm-up requests included: the CPU of every request sent, over every request sent.
        cpu = workers_cpu_seconds(server) - cpu_before
    finally:
        gunicorn_stop(server)
    print(
        f"gunicorn --workers {args.workers}, {args.clients} client threads, {args.duration:.0f} s measured, "
        f"{os.cpu_count()} CPUs, cache {args.cache_url}, load average before the run {load:.1f}"
    )
    print(f"requests: {len(latencies)}  ({len(latencies) / args.duration:.1f} req/s)")
    print(
        f"latency: p50 {_percentile(latencies, 0.50) * 1000:.1f} ms, p95 {_percentile(latencies, 0.95) * 1000:.1f} ms, "
        f"p99 {_percentile(latencies, 0.99) * 1000:.1f} ms, mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )
    print(f"statuses: {dict(sorted(statuses.items()))}")
    print(f"gunicorn workers' CPU: {cpu * 1000 / max(1, sent):.2f} ms per request ({sent} sent, warm-up included)")


if __name__ == "__main__":
    main()
