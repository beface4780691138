"""Server time of the expert edit page (GET) and the nomination page, issue 13 item 3.

    .venv/bin/python benchmarks/bench_edit_page.py [--experts 1000] [--repeat 21] [--database-url URL]

Builds a roster in a throwaway database (a temporary SQLite file unless --database-url names another
empty database), with one expert holding a typical profile (three languages, five articles, two posts,
two degrees, five countries worked in), then requests the edit page and the empty nomination page
through Django's test client, signed in as the nominating State's focal point. Prints the median of
--repeat requests (after one warming request), wall-clock and CPU time of this process (the one to compare on
a machine shared with other work: SQLite and the test client run in it), the queries and the bytes of the last
one. The page's time does not depend on the roster's size (the form shows one expert): a small roster is enough.

To compare with another checkout (before/after in one run), run this same file with --code PATH.
"""

import argparse
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=1000)
    parser.add_argument("--repeat", type=int, default=21)
    parser.add_argument("--code", default=str(Path(__file__).resolve().parent.parent), help="checkout to measure")
    parser.add_argument("--database-url", default="", help="an empty database; default: a temporary SQLite file")
    return parser.parse_args()


def _setup(code: str, database_url: str, var_dir: str) -> None:
    sys.path.insert(0, code)
    os.environ["DATABASE_URL"] = database_url
    os.environ["VAR_DIR"] = var_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _build(n: int) -> tuple[object, object]:
    from accounts.models import User
    from reference.models import Country
    from roster.duplicates import expert_name_key
    from roster.models import Education, Employment, Expert, ExpertArticle, ExpertLanguage

    state = Country.objects.get(iso3="KEN")
    focal_point = User.objects.create_user(email="bench@example.org", role=User.Role.FOCAL_POINT, state=state)
    Expert.objects.bulk_create(
        Expert(
            nominating_state=state,
            nationality=state,
            given_name=f"Given{i}",
            family_name=f"Family{i:07d}",
            name_key=expert_name_key(given_name=f"Given{i}", family_name=f"Family{i:07d}"),
            gender="female",
            email=f"expert{i}@bench.example.org",
            sector="prosecution",
            status="active",
        )
        for i in range(n)
    )
    expert = Expert.objects.order_by("pk").first()
    expert.status = "draft"
    expert.save()
    for code, level in [("en", 7), ("fr", 5), ("sw", 4)]:
        ExpertLanguage.objects.create(expert=expert, language_id=code, level=level)
    for number, level in [(15, 3), (16, 2), (46, 2), (51, 3), (52, 1)]:
        ExpertArticle.objects.create(expert=expert, article_id=number, level=level)
    Employment.objects.create(expert=expert, employer="Supreme Court", position="Judge", start_year=2012)
    Employment.objects.create(expert=expert, employer="Ministry of Justice", position="Counsel", start_year=2005)
    Education.objects.create(expert=expert, institution="University of Nairobi", degree="LLM", year=2004)
    Education.objects.create(expert=expert, institution="University of Nairobi", degree="LLB", year=2001)
    expert.countries_worked_in.set(["UGA", "TZA", "RWA", "FRA", "BRA"])
    return focal_point, expert


def _time(client, url: str, repeat: int) -> tuple[float, float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    assert client.get(url).status_code == 200  # warm the session and the per-process caches
    times, cpu_times, queries, size = [], [], 0, 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url)
            times.append(time.perf_counter() - started)
            cpu_times.append(time.process_time() - cpu_started)
        assert response.status_code == 200, response.status_code
        queries, size = len(captured.captured_queries), len(response.content)
    return statistics.median(times) * 1000, statistics.median(cpu_times) * 1000, queries, size


def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="edit-bench-") as tmp:
        _setup(args.code, args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}", tmp)
        from django.db import connection
        from django.test import Client
        from django.urls import reverse

        focal_point, expert = _build(args.experts)
        client = Client()
        client.force_login(focal_point)
        print(f"code: {args.code}; database: {connection.vendor}; experts: {args.experts}; median of {args.repeat}")
        for label, url in [
            ("expert edit page (GET)", reverse("roster:expert_edit", args=[expert.pk])),
            ("nomination page (GET)", reverse("roster:expert_nominate")),
        ]:
            median_ms, cpu_ms, queries, size = _time(client, url, args.repeat)
            print(f"  {label:<28} {median_ms:8.1f} ms  (CPU {cpu_ms:6.1f} ms)  {queries:3d} queries  {size:8d} bytes")


if __name__ == "__main__":
    main()
