"""Server time and queries of every page of issue 13's table, at two roster sizes, with the growth between them.

    .venv/bin/python benchmarks/pages.py --database-url postgres://postgres@127.0.0.1:5432/portal_10k \\
        --database-url postgres://postgres@127.0.0.1:5432/portal_100k [--repeat 7] [--cache-url redis://...]

Each database must already hold a seeded portal (`seed_demo --experts N --needs 5000 --force`: seeding
100,000 experts takes minutes, so it is not redone here). seed_demo runs ANALYZE; where autovacuum is off
(as on the development machine), run `VACUUM ANALYZE` once too, the state autovacuum would leave, so that
counts can be read from the indexes alone. For each database a child process signs in
the demo secretariat user (and a demo focal point) through Django's test client and requests every page
once to warm up, then `--repeat` times; it prints the median wall time of the whole request (middleware,
view, template), the median CPU time of the Django process over it (on a busy machine the steadier
figure, though it leaves out PostgreSQL's own work), the SQL wall time Django recorded, the number of
queries and the status. The table at the
end puts the sizes side by side with the growth (time at the last size over time at the first).
Run it from the checkout whose code is to be measured; it measures the code beside it.
"""

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", action="append", default=[], help="a seeded database; give it twice")
    parser.add_argument("--repeat", type=int, default=7, help="timed requests per page; the median is printed")
    parser.add_argument("--cache-url", default="locmem://")
    parser.add_argument("--measure", default="", help=argparse.SUPPRESS)  # the child's own database
    return parser.parse_args()


def _environment(database_url: str, cache_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "CACHE_URL": cache_url,
        "SECRET_KEY": "benchmark-only-secret-key-" + "p" * 40,
        "DEBUG": "0",
        "ALLOWED_HOSTS": "testserver,127.0.0.1,localhost",
        "SECURE_SSL_REDIRECT": "0",
        "SECURE_COOKIES": "0",
        "STATICFILES_BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage",
        "LOG_LEVEL": "ERROR",
        "DJANGO_SETTINGS_MODULE": "portal.settings",
    }


def _pages() -> list[tuple[str, str, str]]:
    """(label, who, url) for every page of the issue's table; the expert is the middle demo expert."""
    from needs.models import Need  # noqa: F401  (the export needs the needs app loaded)
    from roster.models import Expert

    total = Expert.objects.filter(external_id__startswith="demo-").count()
    expert = Expert.objects.get(external_id=f"demo-{total // 2:06d}")
    return [
        ("roster list, page 1", "secretariat", "/nominations/"),
        ("roster list, page 200", "secretariat", "/nominations/?page=200"),
        ("admin experts list, page 1", "secretariat", "/secretariat/roster/expert/"),
        ("admin experts list, page 200", "secretariat", "/secretariat/roster/expert/?p=200"),
        ("name search, roster list", "secretariat", "/nominations/?q=Demo-0424"),
        ("name search, roster list (common name)", "secretariat", "/nominations/?q=Amina"),
        ("name search, admin", "secretariat", "/secretariat/roster/expert/?q=Demo-0424"),
        ("expert detail", "secretariat", f"/nominations/{expert.pk}/"),
        ("admin expert record", "secretariat", f"/secretariat/roster/expert/{expert.pk}/change/"),
        ("expert edit page (GET)", "focal point", f"/nominations/{expert.pk}/edit/"),
        ("focal point's roster list, page 1", "focal point", "/nominations/"),
        ("needs CSV export", "secretariat", "/needs/export.csv"),
        ("healthz", "anonymous", "/healthz"),
    ]


def _request(client, url: str) -> tuple[float, float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        started, cpu_started = time.perf_counter(), time.process_time()
        response = client.get(url)
        if response.streaming:
            b"".join(response.streaming_content)
        elapsed, cpu = time.perf_counter() - started, time.process_time() - cpu_started
    sql = sum(float(query["time"]) for query in queries.captured_queries)
    return elapsed, cpu, sql, len(queries), response.status_code


def _measure(database_url: str, repeat: int) -> dict:
    import django

    django.setup()
    from django.test import Client

    from accounts.models import User
    from benchmarks.serving import signed_in_client
    from roster.models import Expert

    secretariat = signed_in_client(User.objects.get(email="secretariat@demo.example.org"))
    results = []
    for label, who, url in _pages():
        client = Client()
        if who == "secretariat":
            client = secretariat
        elif who == "focal point":
            expert_pk = int(url.split("/")[2]) if url.count("/") > 2 else None
            state = Expert.objects.get(pk=expert_pk).nominating_state_id if expert_pk else "KEN"
            user = User.objects.filter(role=User.Role.FOCAL_POINT, state_id=state, is_active=True).first()
            if user is None:  # a State without a demo focal point: one for the benchmark
                user = User.objects.create_user(
                    email=f"bench.{state.lower()}@example.org", role=User.Role.FOCAL_POINT, state_id=state
                )
            client = signed_in_client(user)
        _request(client, url)  # warm-up: caches, first connection, templates
        runs = [_request(client, url) for _ in range(repeat)]
        results.append(
            {
                "page": label,
                "url": url,
                "ms": statistics.median(run[0] for run in runs) * 1000,
                "cpu_ms": statistics.median(run[1] for run in runs) * 1000,
                "sql_ms": statistics.median(run[2] for run in runs) * 1000,
                "queries": runs[-1][3],
                "status": runs[-1][4],
            }
        )
    experts = Expert.objects.count()
    return {"database": database_url, "experts": experts, "pages": results, "load": os.getloadavg()}


def main() -> None:
    args = _parse()
    if args.measure:
        os.environ.update(_environment(args.measure, args.cache_url))
        sys.path.insert(0, str(ROOT))
        print(json.dumps(_measure(args.measure, args.repeat)))
        return
    runs = []
    for url in args.database_url:
        child = subprocess.run(
            [sys.executable, __file__, "--measure", url, "--repeat", str(args.repeat), "--cache-url", args.cache_url],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        )
        run = json.loads(child.stdout.strip().splitlines()[-1])
        runs.append(run)
        print(f"{run['experts']:,} experts ({url}), load average {run['load'][0]:.1f}", file=sys.stderr)
    header = " | ".join(f"{run['experts']:,} experts: ms / CPU ms / SQL ms, queries" for run in runs)
    print(f"| page | {header} | growth |")
    print("|---|" + "---|" * len(runs) + "---|")
    for index, page in enumerate(runs[0]["pages"]):
        cells = []
        for run in runs:
            row = run["pages"][index]
            status = "" if row["status"] == 200 else f" [{row['status']}]"
            cells.append(f"{row['ms']:.1f} / {row['cpu_ms']:.1f} / {row['sql_ms']:.1f}, {row['queries']}{status}")
        last = runs[-1]["pages"][index]
        growth = f"{last['ms'] / page['ms']:.2f}x wall, {last['cpu_ms'] / max(page['cpu_ms'], 0.01):.2f}x CPU"
        print(f"| {page['page']} | " + " | ".join(cells) + f" | {growth} |")
    print(f"median of {args.repeat} requests after one warm-up, Django test client, {os.cpu_count()} CPUs")


if __name__ == "__main__":
    main()
