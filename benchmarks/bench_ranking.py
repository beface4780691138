"""Ranking one need among N experts: the engine against the naive way, in the same run.

    .venv/bin/python benchmarks/bench_ranking.py [--sizes 10000 100000] [--needs 200] [--naive-needs 3]
                                                 [--database-url URL]

Builds a synthetic roster in a throwaway database (a temporary SQLite file unless --database-url names another
empty database), growing it to each size in turn, with needs to rank. For each size it prints:
- the engine's time to rank one need with the arrays warm (median over --needs needs), and the same through
  matching.services.rank_need (reading the version, the need, the workload, writing the snapshot);
- the time to rebuild the arrays from the database, and the peak memory of the rebuild (tracemalloc) with the
  arrays' own size;
- the naive way, a Python loop over ORM objects with their related rows prefetched, scoring the same way
  (median over --naive-needs needs), and how many times slower it is. The naive lists are checked to be the
  engine's, so the two measure the same work.
"""

import argparse
import random
import statistics
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from benchmarks.django_setup import django_migrated  # noqa: E402

BATCH = 5000


def _parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 100_000])
    parser.add_argument("--needs", type=int, default=200, help="needs ranked for the engine's median")
    parser.add_argument("--naive-needs", type=int, default=3, help="needs ranked the naive way")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--database-url", default="", help="an empty database; default: a temporary SQLite file")
    return parser.parse_args()


def _grow(start: int, stop: int, rng: random.Random) -> None:
    """Experts start..stop-1, in bulk: many States, a few languages each, two to five articles."""
    from datetime import date, timedelta

    from django.utils import timezone

    from reference.models import Article, AssistanceType, Country
    from roster.models import Expert, ExpertArticle, ExpertLanguage
    from roster.roster_version import roster_version_bump

    countries = list(Country.objects.values_list("iso3", flat=True))
    articles = list(Article.objects.values_list("number", flat=True))
    weights = [4 if 15 <= a <= 50 else 1 for a in articles]
    kinds = list(AssistanceType.objects.values_list("code", flat=True))
    languages = ["en", "fr", "es", "ar", "ru", "zh", "pt"]
    statuses = ["active"] * 8 + ["submitted", "withdrawn"]
    now = timezone.now()
    for offset in range(start, stop, BATCH):
        experts = []
        for i in range(offset, min(offset + BATCH, stop)):
            state = rng.choice(countries)
            begins = date(2026, 1, 1) + timedelta(days=rng.randint(0, 700)) if rng.random() < 0.3 else None
            experts.append(
                Expert(
                    nominating_state_id=state,
                    nationality_id=state,
                    given_name=f"Given{i}",
                    family_name=f"Family{i:07d}",
                    name_key=f"given{i} family{i:07d}",
                    gender="female" if i % 2 else "male",
                    email=f"expert{i}@bench.example.org",
                    sector="prosecution",
                    status=rng.choice(statuses),
                    consent_given_at=now if rng.random() < 0.95 else None,
                    available_from=begins,
                    available_until=begins + timedelta(days=rng.randint(30, 900)) if begins else None,
                    remote=rng.random() < 0.9,
                    on_site=rng.random() < 0.7,
                    last_confirmed_at=now,
                )
            )
        Expert.objects.bulk_create(experts)
        spoken, expertise, delivered, conflicts = [], [], [], []
        for expert in experts:
            for code in {"en", *rng.sample(languages, rng.randint(0, 2))}:
                spoken.append(ExpertLanguage(expert=expert, language_id=code, level=rng.randint(2, 7)))
            for number in set(rng.choices(articles, weights=weights, k=rng.randint(2, 5))):
                expertise.append(ExpertArticle(expert=expert, article_id=number, level=rng.randint(1, 3)))
            for code in rng.sample(kinds, rng.randint(0, 3)):
                delivered.append(Expert.assistance_types.through(expert_id=expert.pk, assistancetype_id=code))
            if rng.random() < 0.05:
                conflicts.append(Expert.declared_conflict_states.through(expert_id=expert.pk, country_id=state))
        ExpertLanguage.objects.bulk_create(spoken)
        ExpertArticle.objects.bulk_create(expertise)
        Expert.assistance_types.through.objects.bulk_create(delivered)
        Expert.declared_conflict_states.through.objects.bulk_create(conflicts)
    roster_version_bump()


def _needs(count: int, rng: random.Random) -> list:
    from needs.models import Need
    from reference.models import Article, AssistanceType, Country

    countries = list(Country.objects.values_list("iso3", flat=True))
    articles = list(Article.objects.values_list("number", flat=True))
    kinds = list(AssistanceType.objects.values_list("code", flat=True))
    needs = Need.objects.bulk_create(
        [
            Need(
                requesting_state_id=rng.choice(countries),
                assistance_type_id=rng.choice(kinds),
                title=f"Need {i}",
                min_language_level=rng.choice([3, 4, 4, 5]),
                remote=True,
                on_site=rng.random() < 0.8,
            )
            for i in range(count)
        ]
    )
    Need.articles.through.objects.bulk_create(
        [
            Need.articles.through(need_id=need.pk, article_id=number)
            for need in needs
            for number in rng.sample(articles, rng.randint(1, 3))
        ]
    )
    Need.working_languages.through.objects.bulk_create(
        [
            Need.working_languages.through(need_id=need.pk, language_id=code)
            for need in needs
            for code in rng.sample(["en", "fr", "es"], rng.randint(1, 2))
        ]
    )
    return list(Need.objects.prefetch_related("articles", "working_languages").order_by("pk"))


def _naive(need, policy, today) -> list[tuple[int, float]]:
    """The ranking as a Python loop over ORM objects: what the engine replaces."""
    from matching import engine
    from reference.models import Article, Country
    from roster.models import Expert

    chapter = dict(Article.objects.values_list("number", "chapter_id"))
    requester = Country.objects.prefetch_related("legal_systems").get(pk=need.requesting_state_id)
    requester_legal = {system.pk for system in requester.legal_systems.all()}
    articles = [article.pk for article in need.articles.all()]
    languages = {language.pk for language in need.working_languages.all()}
    minimum = max(need.min_language_level, policy.min_language_level)
    weights = [getattr(policy, f"weight_{name}") for name in engine.COMPONENTS]
    total = sum(weights)
    desired_from = need.desired_from or today
    scored = []
    experts = Expert.objects.select_related("nationality").prefetch_related(
        "expertise", "languages", "assistance_types", "declared_conflict_states", "nationality__legal_systems"
    )
    for expert in experts:
        if expert.erased_at or expert.status != "active" or expert.consent_given_at is None:
            continue
        if (expert.available_until and expert.available_until < desired_from) or (
            need.desired_until and expert.available_from and expert.available_from > need.desired_until
        ):
            continue
        if not ((need.remote and expert.remote) or (need.on_site and expert.on_site)):
            continue
        best = max((item.level for item in expert.languages.all() if item.language_id in languages), default=0)
        if best < minimum:
            continue
        if any(state.pk == need.requesting_state_id for state in expert.declared_conflict_states.all()):
            continue
        if policy.exclude_nationals and expert.nationality_id == need.requesting_state_id:
            continue
        held = {item.article_id: item.level for item in expert.expertise.all()}
        if not any(chapter[a] == chapter[b] for a in held for b in articles):
            continue
        credit = 0.0
        for number in articles:
            in_chapter = max((level for a, level in held.items() if chapter[a] == chapter[number]), default=0)
            credit += max(held.get(number, 0) / 3, policy.same_chapter_credit * in_chapter / 3)
        same_group = bool(expert.nationality.regional_group) and (
            expert.nationality.regional_group == requester.regional_group
        )
        shared = bool({system.pk for system in expert.nationality.legal_systems.all()} & requester_legal)
        span = engine.NATIVE - minimum
        parts = [
            credit / len(articles),
            float(any(kind.pk == need.assistance_type_id for kind in expert.assistance_types.all())),
            min(1.0, 0.5 + 0.5 * ((best - minimum) / span if span else 1.0)),
            0.5 * same_group + 0.5 * shared,
            1.0,
        ]
        score = round(sum(w * p for w, p in zip(weights, parts, strict=True)) / total, engine.SCORE_DECIMALS)
        scored.append((-score, -round(parts[0], engine.SCORE_DECIMALS), expert.pk, expert.nationality.regional_group))
    scored.sort()
    groups = {pk: engine.REGIONAL_GROUPS.index(group) for _s, _e, pk, group in scored}
    order = engine.balanced([pk for _s, _e, pk, _g in scored], groups, k=policy.k, cap=policy.regional_cap)
    score_of = {pk: -s for s, _e, pk, _g in scored}
    return [(pk, score_of[pk]) for pk in order[: policy.k]]


def _measure(size: int, needs: list, args: argparse.Namespace) -> None:
    import resource

    import numpy as np
    from django.utils import timezone

    from matching import engine, services

    policy = services.matching_policy_active()
    rules = services.engine_policy(policy)
    today = timezone.localdate()

    rebuilds = []
    for _ in range(3):
        started = time.perf_counter()
        services.roster_matrix_build()
        rebuilds.append(time.perf_counter() - started)
    tracemalloc.start()
    roster = services.roster_matrix_build()
    _current, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    arrays = sum(value.nbytes for value in vars(roster).values() if isinstance(value, np.ndarray))

    vectors = [services.need_vector(need=need, roster=roster, policy=policy, today=today) for need in needs]
    workload = np.zeros(len(roster), dtype=np.int64)
    engine.rank(roster, vectors[0], rules, top=policy.k, workload=workload)  # warm
    engine_times = []
    for vector in vectors:
        started = time.perf_counter()
        engine.rank(roster, vector, rules, top=policy.k, workload=workload)
        engine_times.append(time.perf_counter() - started)
    service_times = []
    services.ROSTER_CACHE.current()
    for need in needs[:20]:
        started = time.perf_counter()
        services.rank_need(need=need)
        service_times.append(time.perf_counter() - started)

    naive_times, agree = [], 0
    for need, vector in list(zip(needs, vectors, strict=True))[: args.naive_needs]:
        started = time.perf_counter()
        naive = _naive(need, policy, today)
        naive_times.append(time.perf_counter() - started)
        fast = engine.rank(roster, vector, rules, top=policy.k, workload=workload)
        agree += naive == list(zip(fast.expert_ids.tolist(), fast.scores.tolist(), strict=True))

    engine_ms = statistics.median(engine_times) * 1000
    naive_ms = statistics.median(naive_times) * 1000
    print(f"experts: {size}")
    print(f"  engine, one need, warm (median of {len(engine_times)}): {engine_ms:8.2f} ms")
    print(
        f"  rank_need service, with snapshot (median of {len(service_times)}): "
        f"{statistics.median(service_times) * 1000:8.2f} ms"
    )
    print(f"  rebuild of the arrays (median of 3):               {statistics.median(rebuilds) * 1000:8.0f} ms")
    print(
        f"  peak memory of a rebuild (tracemalloc):            {peak / 2**20:8.1f} MiB; arrays {arrays / 2**20:.1f} MiB"
    )
    print(
        f"  process peak RSS so far:                           "
        f"{resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:8.0f} MiB"
    )
    print(f"  naive ORM loop, one need (median of {len(naive_times)}):       {naive_ms:8.0f} ms")
    print(f"  naive / engine:                                    {naive_ms / engine_ms:8.0f} x")
    print(f"  naive top {policy.k} equal to the engine's for {agree} of {len(naive_times)} needs")


def main() -> None:
    args = _parse()
    rng = random.Random(args.seed)
    with tempfile.TemporaryDirectory(prefix="ranking-bench-") as tmp:
        django_migrated(args.database_url or f"sqlite:///{Path(tmp) / 'bench.sqlite3'}")
        from django.db import connection

        print(f"database: {connection.vendor}")
        needs = _needs(args.needs, rng)
        built = 0
        for size in sorted(args.sizes):
            started = time.perf_counter()
            _grow(built, size, rng)
            built = size
            print(f"(roster grown to {size} experts in {time.perf_counter() - started:.0f} s)")
            if connection.vendor == "postgresql":
                with connection.cursor() as cursor:
                    cursor.execute("ANALYZE")
            _measure(size, needs, args)


if __name__ == "__main__":
    main()
