"""Server time of the roster list page with N experts in one State.

    .venv/bin/python benchmarks/roster_list.py --experts 10000 [--repeat 7] [--database-url URL]

Builds the roster in a throwaway database (a temporary SQLite file unless --database-url names
another empty database), then times the list view through Django's test client: the first page,
and a filtered query (a language at a minimum level and two articles held together). Prints the
median of the repetitions and the number of SQL queries of each request.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.django_setup import django_migrated  # noqa: E402

BATCH = 5000


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=7)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument(
        "--database-url", default="", help="an empty database to fill; default: a temporary SQLite file"
    )
    return parser.parse_args()


def _build(n: int, seed: int) -> object:
    from django.utils import timezone

    from accounts.models import User
    from reference.models import Article, Country
    from roster.duplicates import expert_name_key
    from roster.models import Expert, ExpertArticle, ExpertLanguage

    rng = random.Random(seed)
    state = Country.objects.get(iso3="KEN")
    focal_point = User.objects.create_user(email="bench@example.org", role=User.Role.FOCAL_POINT, state=state)
    articles = list(Article.objects.values_list("number", flat=True))
    # Real rosters concentrate on chapters III and IV (criminalization, international cooperation).
    weights = [4 if 15 <= a <= 50 else 1 for a in articles]
    sectors = [choice for choice, _label in Expert.Sector.choices]
    statuses = ["active"] * 8 + ["submitted", "draft"]
    now = timezone.now()
    started = time.perf_counter()
    for offset in range(0, n, BATCH):
        experts = [
            Expert(
                nominating_state=state,
                nationality=state,
                given_name=f"Given{i}",
                family_name=f"Family{i:07d}",
                name_key=expert_name_key(given_name=f"Given{i}", family_name=f"Family{i:07d}"),
                gender="female" if i % 2 else "male",
                email=f"expert{i}@bench.example.org",
                sector=rng.choice(sectors),
                years_experience=rng.randint(2, 35),
                days_per_year=rng.randint(0, 60),
                status=rng.choice(statuses),
                last_confirmed_at=now,
            )
            for i in range(offset, min(offset + BATCH, n))
        ]
        Expert.objects.bulk_create(experts)
        languages, expertise = [], []
        for expert in experts:
            languages.append(ExpertLanguage(expert=expert, language_id="en", level=rng.randint(3, 7)))
            if rng.random() < 0.4:
                languages.append(ExpertLanguage(expert=expert, language_id="fr", level=rng.randint(1, 7)))
            if rng.random() < 0.2:
                languages.append(ExpertLanguage(expert=expert, language_id="es", level=rng.randint(1, 7)))
            for number in set(rng.choices(articles, weights=weights, k=3)):
                expertise.append(ExpertArticle(expert=expert, article_id=number, level=rng.randint(1, 3)))
        ExpertLanguage.objects.bulk_create(languages)
        ExpertArticle.objects.bulk_create(expertise)
    print(f"built {n} experts in one State in {time.perf_counter() - started:.1f} s")
    from django.db import connection

    # After a bulk load PostgreSQL plans with empty statistics until autovacuum catches up (measured:
    # 126 ms instead of about 50 ms for page 1 at 100,000); a live database has its statistics.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return focal_point


def _time(client, url: str, params: dict, repeat: int) -> tuple[float, int, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url, params)  # warm the session and caches, as for a person already signed in
    times, queries = [], 0
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started = time.perf_counter()
            response = client.get(url, params)
            times.append(time.perf_counter() - started)
        assert response.status_code == 200, response.status_code
        queries = len(captured.captured_queries)
    return statistics.median(times) * 1000, queries, response.context["page"].paginator.count


def main() -> None:
    args = _parse()
    with tempfile.TemporaryDirectory(prefix="roster-bench-") as tmp:
        django_migrated(args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from django.db import connection
        from django.test import Client
        from django.test.utils import setup_test_environment
        from django.urls import reverse

        setup_test_environment()  # lets the client see the template context (row counts)
        focal_point = _build(args.experts, args.seed)
        client = Client()
        client.force_login(focal_point)
        url = reverse("roster:expert_list")
        cases = [
            ("page 1, no filter", {}),
            ("page 2, no filter", {"page": "2"}),
            ("name search 'family00012'", {"q": "family00012"}),
            ("French at C1+, articles 15 and 23", {"language": "fr", "min_level": "5", "articles": ["15", "23"]}),
        ]
        print(f"database: {connection.vendor}; experts: {args.experts}; median of {args.repeat} requests")
        for label, params in cases:
            median_ms, queries, rows = _time(client, url, params, args.repeat)
            print(f"  {label:<40} {median_ms:8.1f} ms  {queries:3d} queries  {rows:7d} matching")


if __name__ == "__main__":
    main()
