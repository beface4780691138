"""The review page of a need among 100,000 experts: server time of the page (median of N requests), its queries,
and the time to rank on demand.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_review_bench \\
        .venv/bin/python benchmarks/bench_review.py [--experts 100000] [--needs 50] [--repeat 20]

The database named by DATABASE_URL is created when it does not exist (nothing is ever dropped) and filled once with
seed_demo (idempotent: a second run reuses the roster; the first takes minutes). The page is requested in-process
through Django's test client, signed in as the tests sign the secretariat in (tests.conftest.signed_in_client), so
the time is the server's alone: middleware, the admin's gate, the selectors and the template, no network. The
need's ranking exists before timing (the page reads it, it does not rank on a view); its shortlist holds ten
experts, five of them asked for availability; a second policy has ranked it too, for the side-by-side figure. The
load average is printed with the figures, and this process's CPU time per request beside the wall time: the
machine is shared, and under load the wall time grows with the CPU time and the number of round trips to the
database, not with the roster (the page reads the ranking's 50 rows, never the 100,000 experts).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/portal_review_bench"
# A second policy, ranked beside the active one for the side-by-side figure.
COMPARED_POLICY = "Expertise first"


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--experts", type=int, default=100_000)
    parser.add_argument("--needs", type=int, default=50)
    parser.add_argument("--repeat", type=int, default=20, help="requests per figure; the median is printed")
    return parser.parse_args()


def _database_ensure(url: str) -> None:
    """CREATE DATABASE when it is missing; never DROP anything."""
    import psycopg2

    parts = urlsplit(url)
    name = parts.path.lstrip("/")
    connection = psycopg2.connect(parts._replace(path="/postgres").geturl())
    connection.autocommit = True
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
            if cursor.fetchone() is None:
                cursor.execute(f'CREATE DATABASE "{name}"')
    finally:
        connection.close()


def _setup() -> None:
    os.environ.setdefault("DATABASE_URL", DEFAULT_URL)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.test_settings")
    if os.environ["DATABASE_URL"].startswith("postgres"):
        _database_ensure(os.environ["DATABASE_URL"])
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0, interactive=False)


def _timed(action, repeat: int) -> tuple[float, float, int]:
    """Median wall seconds and median process CPU seconds of `repeat` calls of action(), and the queries of the
    last. The CPU figure is this process's alone (the database server's work is in the wall time only): on a
    shared machine the wall time grows with the load, the CPU time much less."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    times, cpu = [], []
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as queries:
            started, started_cpu = time.perf_counter(), time.process_time()
            action()
            times.append(time.perf_counter() - started)
            cpu.append(time.process_time() - started_cpu)
    return statistics.median(times), statistics.median(cpu), len(queries)


def _load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f} {five:.2f} {fifteen:.2f}"


def main() -> None:
    args = _parse()
    _setup()
    from django.core import mail
    from django.core.management import call_command
    from django.urls import reverse

    from accounts.models import User
    from accounts.services import secretariat_group
    from matching.models import MatchingPolicy, RankedCandidate, ShortlistEntry
    from matching.services import ROSTER_CACHE, matching_policy_save
    from matching.shortlists import shortlist_add
    from needs.models import Need
    from review.services import availability_request, review_rank
    from roster.models import Expert
    from tests.conftest import signed_in_client

    mail.outbox = []
    started = time.perf_counter()
    if Expert.objects.count() < args.experts:
        call_command("seed_demo", experts=args.experts, needs=args.needs, seed=1, force=True, verbosity=0)
        print(f"seeded in {time.perf_counter() - started:.0f} s")
    experts = Expert.objects.count()
    active = Expert.objects.filter(status=Expert.Status.ACTIVE, consent_given_at__isnull=False).count()

    member, _created = User.objects.get_or_create(
        email="review-bench@example.org", defaults={"role": User.Role.SECRETARIAT, "is_staff": True}
    )
    member.groups.add(secretariat_group())

    needs = Need.objects.filter(status__in=[Need.Status.OPEN, Need.Status.SHORTLISTING]).order_by("pk")
    ROSTER_CACHE.clear()
    started = time.perf_counter()
    need, snapshot = None, None
    for candidate_need in needs[:20]:
        snapshot = review_rank(need=candidate_need, by=member)
        need = candidate_need
        if snapshot.candidates >= 50:
            break
    cold = time.perf_counter() - started
    assert need is not None and snapshot is not None, "no open need: seed with --needs"
    ranked = list(
        RankedCandidate.objects.filter(snapshot=snapshot).order_by("rank").values_list("expert_id", flat=True)
    )
    current = set(ShortlistEntry.objects.filter(need=need, removed_at__isnull=True).values_list("expert_id", flat=True))
    for position, expert_id in enumerate(ranked[:10]):
        if expert_id not in current:
            entry = shortlist_add(by=member, need=need, expert=Expert.objects.get(pk=expert_id))
            if position < 5:
                availability_request(by=member, entry_id=entry.pk, version=entry.version)
    other = MatchingPolicy.objects.filter(name=COMPARED_POLICY).first() or matching_policy_save(
        policy=MatchingPolicy(name=COMPARED_POLICY, weight_expertise=0.8), by=member
    )
    review_rank(need=need, by=member, policy=other)  # the side-by-side ranking
    review_rank(need=need, by=member)  # the page's latest ranking, made with the arrays warm

    client = signed_in_client(member)
    url = reverse("admin:review_need", args=[need.pk])
    assert client.get(url).status_code == 200  # warm-up: templates, translations, connection

    def page() -> None:
        response = client.get(url)
        assert response.status_code == 200, response.status_code

    def filtered() -> None:
        response = client.get(url, {"language": "en", "availability": "remote", "regional_group": "AFR"})
        assert response.status_code == 200, response.status_code

    def compared() -> None:
        response = client.get(url, {"compare": other.pk})
        assert response.status_code == 200, response.status_code

    load_before = _load()
    figures = [
        ("review page, top 50", _timed(page, args.repeat)),
        ("review page, filtered (en, remote, AFR)", _timed(filtered, args.repeat)),
        (f"review page, side by side with “{COMPARED_POLICY}”", _timed(compared, args.repeat)),
    ]
    rank_time, _rank_cpu, rank_queries = _timed(lambda: review_rank(need=need, by=member), max(3, args.repeat // 4))

    print(f"database: {os.environ['DATABASE_URL'].rsplit('/', 1)[-1]} ({os.environ['DATABASE_URL'].split(':')[0]})")
    print(f"roster: {experts} experts ({active} active with consent); need {need.pk}: {snapshot.candidates} qualified")
    print(f"load average (1, 5, 15 min) before the requests: {load_before}; after: {_load()}; cpus: {os.cpu_count()}")
    for label, (wall, cpu, queries) in figures:
        print(
            f"{label}: median {wall * 1000:.1f} ms over {args.repeat} requests "
            f"(this process's CPU {cpu * 1000:.1f} ms), {queries} queries"
        )
    print(f"rank on demand (arrays warm): median {rank_time * 1000:.1f} ms, {rank_queries} queries")
    print(f"first ranking in this process (arrays built from the database): {cold:.2f} s")


if __name__ == "__main__":
    main()
