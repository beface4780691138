"""Writes of the statistics app: snapshots of the figures, API clients and their daily quotas."""

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from itertools import batched, combinations, product

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from matching.services import need_coverage
from needs.models import Need
from reference.models import Article, Country
from roster.models import Expert, ExpertArticle, ExpertLanguage
from roster.selectors import expert_on_roster
from stats.dimensions import COVERAGE_MIN_EXPERTS, DIMENSIONS, MAX_FILTERS, cell_name
from stats.disclosure import Pairs, TotalsAudit
from stats.models import ApiClient, ApiClientCell, ApiClientDay, Measure, NeedCellKey, StatsCell, StatsSnapshot
from stats.selectors import CACHE_SECONDS, LATEST_KEY, LATEST_SECONDS, api_client_answered_key, api_client_cache_key

# A published cell is one group-by code under at most MAX_FILTERS filters: cells of more dimensions are never asked.
CELL_DIMENSIONS = MAX_FILTERS + 1


@dataclass(frozen=True)
class Member:
    """One counted expert or need: its secret key and its codes per dimension (several for articles, languages...)."""

    key: int
    codes: dict[str, frozenset[str]]


def _grouped(pairs: Iterable[tuple[int, object]]) -> dict[int, set[str]]:
    grouped: dict[int, set[str]] = defaultdict(set)
    for owner, code in pairs:
        grouped[owner].add(str(code))
    return grouped


def _chapters_of(articles: dict[int, set[str]]) -> dict[int, set[str]]:
    chapter_of = {str(number): chapter for number, chapter in Article.objects.values_list("number", "chapter_id")}
    return {owner: {chapter_of[a] for a in codes} for owner, codes in articles.items()}


def expert_members() -> list[Member]:
    """The roster's experts as statistics may describe them (see expert_on_roster)."""
    experts = expert_on_roster().values_list(
        "pk", "cell_key", "gender", "sector", "nationality_id", "nationality__regional_group"
    )
    experts = list(experts)
    pks = [row[0] for row in experts]
    articles = _grouped(ExpertArticle.objects.filter(expert_id__in=pks).values_list("expert_id", "article_id"))
    chapters = _chapters_of(articles)
    languages = _grouped(ExpertLanguage.objects.filter(expert_id__in=pks).values_list("expert_id", "language_id"))
    assistance = _grouped(
        Expert.assistance_types.through.objects.filter(expert_id__in=pks).values_list("expert_id", "assistancetype_id")
    )
    legal_systems = _grouped(Country.legal_systems.through.objects.values_list("country_id", "legalsystem_id"))
    members = []
    for pk, key, gender, sector, nationality, group in experts:
        codes = {
            "regional_group": {group} if group else set(),
            "nationality": {nationality},
            "article": articles.get(pk, set()),
            "chapter": chapters.get(pk, set()),
            "language": languages.get(pk, set()),
            "gender": {gender},
            "sector": {sector},
            "legal_system": legal_systems.get(nationality, set()),
            "assistance_type": assistance.get(pk, set()),
        }
        members.append(Member(key=key, codes={d: frozenset(c) for d, c in codes.items()}))
    return members


def need_keys() -> dict[int, int]:
    """Every need's secret key, giving one to the needs that have none yet (set once, kept for good)."""
    missing = Need.objects.exclude(pk__in=NeedCellKey.objects.values("need_id")).values_list("pk", flat=True)
    NeedCellKey.objects.bulk_create([NeedCellKey(need_id=pk) for pk in missing], ignore_conflicts=True)
    return dict(NeedCellKey.objects.values_list("need_id", "key"))


def need_members() -> list[Member]:
    """Every recorded need, whatever its status (status is one of the dimensions)."""
    keys = need_keys()
    needs = list(
        Need.objects.values_list(
            "pk", "requesting_state_id", "requesting_state__regional_group", "assistance_type_id", "priority", "status"
        )
    )
    articles = _grouped(Need.articles.through.objects.values_list("need_id", "article_id"))
    chapters = _chapters_of(articles)
    languages = _grouped(Need.working_languages.through.objects.values_list("need_id", "language_id"))
    members = []
    for pk, country, group, assistance_type, priority, status in needs:
        codes = {
            "regional_group": {group} if group else set(),
            "country": {country},
            "article": articles.get(pk, set()),
            "chapter": chapters.get(pk, set()),
            "assistance_type": {assistance_type},
            "language": languages.get(pk, set()),
            "priority": {priority},
            "status": {status},
        }
        members.append(Member(key=keys[pk], codes={d: frozenset(c) for d, c in codes.items()}))
    return members


def coverage_members() -> list[Member]:
    """Open needs, each with the numbers of qualified experts it reaches, as matching defines qualified."""
    keys = need_keys()
    chapter_of = dict(Article.objects.values_list("number", "chapter_id"))
    members = []
    for item in need_coverage(explain=False):
        codes = {
            "min_experts": {n for n in COVERAGE_MIN_EXPERTS if item.qualified >= int(n)},
            "chapter": {chapter_of[a] for a in item.articles},
            "article": {str(a) for a in item.articles},
            "regional_group": {item.regional_group} if item.regional_group else set(),
            "language": set(item.languages),
        }
        members.append(Member(key=keys[item.need_id], codes={d: frozenset(c) for d, c in codes.items()}))
    return members


# Stands, while counting, for "no code in this dimension"; such cells are never stored or published.
NO_CODE = frozenset({""})


def stats_cells(
    *, members: Sequence[Member], dimensions: Sequence[str], threshold: int, audit: TotalsAudit | None = None
) -> Iterator[tuple[str, int, int]]:
    """(cell, distinct members, sum of their keys) for every cell of up to three dimensions that reaches the threshold.

    One dimension set at a time, so that memory holds the cells of one set, not of all of them. The `audit`, if
    given, is told of every such cell and of how many members of a total have no code in a dimension.
    """
    for size in range(CELL_DIMENSIONS + 1):
        for names in combinations(sorted(dimensions), size):
            counts: dict[tuple[str, ...], list[int]] = defaultdict(lambda: [0, 0])
            for member in members:
                # A member holds each code once per dimension, so it is counted once per cell.
                for codes in product(*(member.codes[name] or NO_CODE for name in names)):
                    tally = counts[codes]
                    tally[0] += 1
                    tally[1] += member.key
            for codes, (count, key_sum) in counts.items():
                pairs = tuple(zip(names, codes, strict=True))
                if "" not in codes:
                    if count >= threshold:
                        if audit is not None:
                            audit.cell(pairs, count, key_sum)
                        yield cell_name(pairs), count, key_sum
                elif audit is not None and codes.count("") == 1:
                    index = codes.index("")
                    audit.no_code(pairs[:index] + pairs[index + 1 :], names[index], count)


def stats_audit(*, measure: str, members: Sequence[Member], threshold: int) -> TotalsAudit:
    """The audit of a measure's tables: the totals a request may ask and the dimensions it may break them down by."""
    groupable = DIMENSIONS[measure]
    if measure == Measure.COVERAGE:

        def queryable(pairs: Pairs) -> bool:
            return len(pairs) == 1 and pairs[0][0] == "min_experts"
    else:

        def queryable(pairs: Pairs) -> bool:
            return len(pairs) <= MAX_FILTERS

    return TotalsAudit(
        threshold=threshold,
        code_counts={d.name: len(d.codes()) for d in groupable},
        single_valued=frozenset(d.name for d in groupable if all(len(member.codes[d.name]) <= 1 for member in members)),
        queryable=queryable,
    )


@transaction.atomic
def stats_refresh(*, batch_size: int = 5000) -> StatsSnapshot:
    """Count every measure afresh into a new snapshot and drop the older ones, in one transaction.

    A cell the audit withholds (secondary suppression) is not kept, so it reads as suppressed in every table.
    """
    snapshot = StatsSnapshot.objects.create()
    threshold = settings.STATS_THRESHOLD
    sources = {Measure.EXPERTS: expert_members, Measure.NEEDS: need_members, Measure.COVERAGE: coverage_members}
    for measure, members_of in sources.items():
        # The number of qualified experts is part of every coverage cell, as a filter always present.
        dimensions = [d.name for d in DIMENSIONS[measure]] + (["min_experts"] if measure == Measure.COVERAGE else [])
        members = members_of()
        audit = stats_audit(measure=measure, members=members, threshold=threshold)
        cells = (
            StatsCell(snapshot=snapshot, measure=measure, cell=cell, count=count, key_sum=key_sum)
            for cell, count, key_sum in stats_cells(
                members=members, dimensions=dimensions, threshold=threshold, audit=audit
            )
        )
        for batch in batched(cells, batch_size):
            StatsCell.objects.bulk_create(batch)
        withheld = [cell_name(pairs) for pairs in audit.withheld()]
        for chunk in batched(withheld, 1000):
            StatsCell.objects.filter(snapshot=snapshot, measure=measure, cell__in=chunk).delete()
    StatsSnapshot.objects.exclude(pk=snapshot.pk).delete()
    # Cached answers name their snapshot: pointing at the new one retires them all. Set now and again once the
    # snapshot is committed (a request that reads the old one in between does not put its id back).
    cache.set(LATEST_KEY, snapshot.pk, timeout=LATEST_SECONDS)
    transaction.on_commit(partial(cache.set, LATEST_KEY, snapshot.pk, timeout=LATEST_SECONDS))
    return snapshot


# --- API clients -----------------------------------------------------------------------------------


@transaction.atomic
def api_client_create(*, name: str, days: int, daily_cell_quota: int) -> tuple[ApiClient, str]:
    """A new client and its key; the key is returned this once and only its hash is kept."""
    client, key = ApiClient.objects.create_key(
        name=name, expiry_date=timezone.now() + timedelta(days=days), daily_cell_quota=daily_cell_quota
    )
    # The primary key holds the key's hash: the trail names the client by its name and public prefix only.
    audit_record(
        actor=None,
        action=AuditAction.API_CLIENT_CREATE,
        details={"name": name, "prefix": client.prefix, "expires": client.expiry_date.isoformat()},
    )
    return client, key


@transaction.atomic
def api_client_revoke(*, client: ApiClient, by: User | None) -> ApiClient:
    """The key stops working at once and for good (the library refuses to un-revoke)."""
    client.revoked = True
    client.save(update_fields=["revoked"])
    # Forgotten now and once committed, so that no process keeps accepting the key from the shared cache.
    cache.delete(api_client_cache_key(client.prefix))
    transaction.on_commit(partial(cache.delete, api_client_cache_key(client.prefix)))
    audit_record(actor=by, action=AuditAction.API_CLIENT_REVOKE, details={"name": client.name, "prefix": client.prefix})
    return client


def api_client_cells_charge(
    *, client: ApiClient, measure: str, cells: Sequence[str], now: datetime | None = None
) -> bool:
    """Count the cells a client is about to be answered against its daily quota; False, and nothing counted, past it.

    Cells already answered today cost nothing and are recognised without a lock (a recorded cell is never
    removed that day). Otherwise the day's row is locked first, so that concurrent requests of one client are
    charged one after the other and together can never exceed the quota.
    """
    day = timezone.localdate(now or timezone.now())
    asked = list(dict.fromkeys(cells))
    # Once these cells are charged (committed), the cache says so until the day is over: the next request for
    # them skips the database (stats.selectors.stats_answer_cached).
    remember = partial(
        cache.set,
        api_client_answered_key(client_id=client.pk, day=day, measure=measure, cells=tuple(cells)),
        True,
        timeout=CACHE_SECONDS,
    )
    answered = ApiClientCell.objects.filter(client_day__client=client, client_day__day=day, measure=measure)
    if answered.filter(cell__in=asked).count() == len(asked):
        transaction.on_commit(remember)
        return True
    with transaction.atomic():
        client_day, _created = ApiClientDay.objects.select_for_update().get_or_create(client=client, day=day)
        seen = set(answered.filter(cell__in=asked).values_list("cell", flat=True))
        new = [cell for cell in asked if cell not in seen]
        if client_day.cells_used + len(new) > client.daily_cell_quota:
            return False
        ApiClientCell.objects.bulk_create(
            [ApiClientCell(client_day=client_day, measure=measure, cell=cell) for cell in new]
        )
        ApiClientDay.objects.filter(pk=client_day.pk).update(cells_used=F("cells_used") + len(new))
        transaction.on_commit(remember)
    return True
