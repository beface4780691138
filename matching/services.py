"""The bridge between the registers and the engine: the roster as arrays, rankings kept as snapshots, coverage.

The arrays are built with a handful of queries (no query per expert) and kept in the process, keyed by the
roster version stored in the database (roster.roster_version). Every ranking first reads that version: if any
app server or worker changed an expert since the arrays were built, they are rebuilt before ranking, so no
process ranks on a stale roster.
"""

import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import numpy as np
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from matching import engine
from matching.models import MatchingPolicy, RankedCandidate, RankingSnapshot, ShortlistEntry
from needs.models import Need
from reference.models import Article, AssistanceType, Chapter, Country, LanguageLevel, LegalSystem
from reference.models import Language as ReferenceLanguage
from roster.models import Expert, ExpertArticle, ExpertLanguage
from roster.roster_version import roster_version_current

WEIGHT_FIELDS = {name: f"weight_{name}" for name in engine.COMPONENTS}
POLICY_FIELDS = (
    "name",
    "active",
    *WEIGHT_FIELDS.values(),
    "same_chapter_credit",
    "min_language_level",
    "k",
    "regional_cap",
    "exclude_nationals",
    *("places_high_priority", "places_low_priority", "expert_capacity", "own_region_floor", "min_legal_systems"),
    "regional_share_bands",
)

# --- the roster as arrays -----------------------------------------------------------------------


def _index(codes: Sequence[Any]) -> dict[Any, int]:
    return {code: position for position, code in enumerate(codes)}


def _ordinal(day: date | None, default: int) -> int:
    return day.toordinal() if day is not None else default


def roster_matrix_build() -> engine.RosterMatrix:
    """Every expert as rows of arrays: eleven queries whatever the roster's size."""
    chapters = list(Chapter.objects.order_by("position").values_list("numeral", flat=True))
    article_chapter = dict(Article.objects.values_list("number", "chapter_id"))
    chapter_at = _index(chapters)
    languages = tuple(ReferenceLanguage.objects.order_by("code").values_list("code", flat=True))
    assistance = tuple(AssistanceType.objects.order_by("position").values_list("code", flat=True))
    legal_codes = tuple(LegalSystem.objects.order_by("code").values_list("code", flat=True))
    countries = list(Country.objects.order_by("iso3").values_list("iso3", "regional_group"))
    country_codes = tuple(code for code, _group in countries)
    country_at = _index(country_codes)
    group_at = _index(engine.REGIONAL_GROUPS)
    legal_at = _index(legal_codes)
    country_legal = np.zeros(len(countries), dtype=np.uint8)
    for iso3, legal in Country.legal_systems.through.objects.values_list("country_id", "legalsystem_id"):
        country_legal[country_at[iso3]] |= np.uint8(1 << legal_at[legal])

    rows = list(
        Expert.objects.order_by("pk").values_list(
            "pk",
            "status",
            "consent_given_at",
            "erased_at",
            "nationality_id",
            "available_from",
            "available_until",
            "remote",
            "on_site",
        )
    )
    n = len(rows)
    ids = np.fromiter((row[0] for row in rows), dtype=np.int64, count=n)

    known = set(ids.tolist())

    def of_known(links: Iterable[tuple]) -> list[tuple]:
        # Each query sees the rows committed when it runs: the parts of an expert added after the experts were read
        # wait for the next rebuild, which the newer roster version will bring. The link tables are read unordered
        # (order_by() drops the models' default orderings): each (expert, article or language) pair is unique, so
        # the arrays do not depend on the order, and at 100,000 experts sorting 478,000 articles and 174,000
        # languages (the latter on disk) took 0.5 s of a 1.1 s read.
        return [link for link in links if link[0] in known]

    def positions(expert_ids: Iterable[int]) -> np.ndarray:
        return np.searchsorted(ids, np.fromiter(expert_ids, dtype=np.int64))

    article_levels = np.zeros((n, engine.ARTICLES), dtype=np.uint8)
    expertise = of_known(ExpertArticle.objects.order_by().values_list("expert_id", "article_id", "level"))
    if expertise:
        at = positions(e for e, _a, _l in expertise)
        article_levels[at, [a - 1 for _e, a, _l in expertise]] = [level for _e, _a, level in expertise]
    chapter_of_article = np.array([chapter_at[article_chapter[a]] for a in range(1, engine.ARTICLES + 1)], np.int8)
    chapter_levels = np.zeros((n, len(chapters)), dtype=np.uint8)
    for chapter in range(len(chapters)):
        chapter_levels[:, chapter] = article_levels[:, chapter_of_article == chapter].max(axis=1, initial=0)

    language_at = _index(languages)
    language_levels = np.zeros((n, len(languages)), dtype=np.uint8)
    spoken = of_known(ExpertLanguage.objects.order_by().values_list("expert_id", "language_id", "level"))
    if spoken:
        at = positions(e for e, _c, _l in spoken)
        language_levels[at, [language_at[c] for _e, c, _l in spoken]] = [level for _e, _c, level in spoken]

    assistance_mask = np.zeros(n, dtype=np.uint32)
    assistance_at = _index(assistance)
    delivered = of_known(
        Expert.assistance_types.through.objects.order_by().values_list("expert_id", "assistancetype_id")
    )
    if delivered:
        bits = np.fromiter((1 << assistance_at[code] for _e, code in delivered), dtype=np.uint32)
        np.bitwise_or.at(assistance_mask, positions(e for e, _c in delivered), bits)

    conflicts = of_known(
        Expert.declared_conflict_states.through.objects.order_by().values_list("expert_id", "country_id")
    )
    return engine.RosterMatrix(
        expert_ids=ids,
        article_levels=article_levels,
        article_chapter=chapter_of_article,
        chapter_levels=chapter_levels,
        language_codes=languages,
        language_levels=language_levels,
        assistance_codes=assistance,
        assistance_mask=assistance_mask,
        country_codes=country_codes,
        country_group=np.array([group_at[group] for _code, group in countries], dtype=np.int8),
        country_legal=country_legal,
        legal_system_codes=legal_codes,
        nationality=np.fromiter((country_at[row[4]] for row in rows), dtype=np.int16, count=n),
        conflict_rows=positions(e for e, _c in conflicts).astype(np.int64),
        conflict_countries=np.fromiter((country_at[c] for _e, c in conflicts), dtype=np.int16, count=len(conflicts)),
        active=np.fromiter((row[1] == Expert.Status.ACTIVE for row in rows), dtype=bool, count=n),
        consent=np.fromiter((row[2] is not None for row in rows), dtype=bool, count=n),
        erased=np.fromiter((row[3] is not None for row in rows), dtype=bool, count=n),
        available_from=np.fromiter((_ordinal(row[5], engine.OPEN_START) for row in rows), dtype=np.int32, count=n),
        available_until=np.fromiter((_ordinal(row[6], engine.OPEN_END) for row in rows), dtype=np.int32, count=n),
        remote=np.fromiter((row[7] for row in rows), dtype=bool, count=n),
        on_site=np.fromiter((row[8] for row in rows), dtype=bool, count=n),
    )


class RosterCache:
    """The arrays of one process, with the roster version they were built at."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._version: int | None = None
        self._roster: engine.RosterMatrix | None = None

    def current(self) -> tuple[int, engine.RosterMatrix]:
        # The version is read before the rows: a change committed in between makes the arrays newer than their
        # label, never older, and only costs one more rebuild at the next ranking.
        version = roster_version_current()
        with self._lock:
            if self._roster is None or self._version != version:
                self._roster = roster_matrix_build()
                self._version = version
            return version, self._roster

    def clear(self) -> None:
        with self._lock:
            self._version, self._roster = None, None


ROSTER_CACHE = RosterCache()


# --- the policy ---------------------------------------------------------------------------------


def matching_policy_active() -> MatchingPolicy:
    """The active policy; the default one again if a database lost it (created with the app's first migration)."""
    policy = MatchingPolicy.objects.filter(active=True).first()
    if policy is None:
        policy, _created = MatchingPolicy.objects.get_or_create(name="Default", defaults={"active": True})
    return policy


def engine_policy(policy: MatchingPolicy) -> engine.Policy:
    return engine.Policy(
        weights={name: getattr(policy, field) for name, field in WEIGHT_FIELDS.items()},
        same_chapter_credit=policy.same_chapter_credit,
        k=policy.k,
        regional_cap=policy.regional_cap,
        exclude_nationals=policy.exclude_nationals,
    )


def policy_parameters(policy: MatchingPolicy) -> dict[str, Any]:
    """The policy as a ranking used it, kept with the ranking and printed by rank_need."""
    return {
        "id": policy.pk,
        "name": policy.name,
        "version": policy.version,
        "weights": {name: getattr(policy, field) for name, field in WEIGHT_FIELDS.items()},
        "same_chapter_credit": policy.same_chapter_credit,
        "min_language_level": LanguageLevel(policy.min_language_level).label,
        "k": policy.k,
        "regional_cap": policy.regional_cap,
        "exclude_nationals": policy.exclude_nationals,
    }


def matching_policy_check(*, policy: MatchingPolicy) -> None:
    errors = {}
    if sum(getattr(policy, field) for field in WEIGHT_FIELDS.values()) <= 0:
        errors["weight_expertise"] = _("At least one weight must be above zero.")
    if policy.regional_cap > policy.k:
        errors["regional_cap"] = _("The cap per regional group cannot exceed the number of places balanced.")
    if not _share_bands_valid(policy.regional_share_bands):
        errors["regional_share_bands"] = _(
            "Give each regional group (AFR, APG, EEG, GRULAC, WEOG) at most once, with a lowest and a highest share "
            "between 0 and 1, the lowest first."
        )
    if errors:
        raise ValidationError(errors)


def _share_bands_valid(bands: Any) -> bool:
    if not isinstance(bands, dict):
        return False
    for group, band in bands.items():
        if group not in engine.REGIONAL_GROUPS[: engine.NO_GROUP] or not isinstance(band, list) or len(band) != 2:
            return False
        if not all(isinstance(x, int | float) and not isinstance(x, bool) for x in band):
            return False
        if not 0 <= band[0] <= band[1] <= 1:
            return False
    return True


def _policy_audit(*, policy: MatchingPolicy, by: User, before: Mapping[str, Any]) -> None:
    changes = {
        name: [before.get(name), getattr(policy, name)]
        for name in POLICY_FIELDS
        if not before or before.get(name) != getattr(policy, name)
    }
    audit_record(
        actor=by,
        action=AuditAction.MATCHING_POLICY_CHANGE,
        target=policy,
        details={"created": not before, "changes": changes},
    )


def _policy_stored(policy: MatchingPolicy) -> dict[str, Any]:
    if not policy.pk:
        return {}
    return dict(MatchingPolicy.objects.select_for_update().filter(pk=policy.pk).values(*POLICY_FIELDS).get())


@transaction.atomic
def matching_policy_save(*, policy: MatchingPolicy, by: User) -> MatchingPolicy:
    """Create or change a policy's parameters (whether it is the active one is matching_policy_activate's)."""
    if not getattr(by, "is_secretariat", False):
        raise PermissionDenied
    matching_policy_check(policy=policy)
    before = _policy_stored(policy)
    policy.active = before.get("active", False)
    if before:
        policy.version += 1
    policy.full_clean()
    policy.save()
    _policy_audit(policy=policy, by=by, before=before)
    return policy


@transaction.atomic
def matching_policy_activate(*, policy: MatchingPolicy, by: User) -> MatchingPolicy:
    """Make this the policy of every new ranking; the one active before is deactivated, so exactly one is."""
    if not getattr(by, "is_secretariat", False):
        raise PermissionDenied
    before = _policy_stored(policy)
    if before["active"]:
        return policy
    MatchingPolicy.objects.select_for_update().filter(active=True).update(active=False)
    policy.active = True
    policy.version += 1
    policy.save(update_fields=["active", "version", "updated_at"])
    _policy_audit(policy=policy, by=by, before=before)
    return policy


# --- ranking ------------------------------------------------------------------------------------


def need_vector(
    *, need: Need, roster: engine.RosterMatrix, policy: MatchingPolicy, today: date | None = None
) -> engine.NeedVector:
    """The need in the roster's coordinates (its articles and languages are read through .all(), so a prefetch
    serves them)."""
    languages = _index(roster.language_codes)
    codes = [language.pk for language in need.working_languages.all()]
    assistance = roster.assistance_codes
    return engine.NeedVector(
        articles=tuple(sorted(article.pk for article in need.articles.all())),
        assistance_type=assistance.index(need.assistance_type_id) if need.assistance_type_id in assistance else -1,
        languages=tuple(sorted(languages[code] for code in codes if code in languages)),
        min_language_level=max(need.min_language_level, policy.min_language_level),
        country=roster.country_codes.index(need.requesting_state_id),
        remote=need.remote,
        on_site=need.on_site,
        # Without a stated start, the need is for now: an expert whose availability has ended is not proposed.
        desired_from=_ordinal(need.desired_from, (today or timezone.localdate()).toordinal()),
        desired_until=_ordinal(need.desired_until, engine.OPEN_END),
    )


# A deployment weighs on an expert's workload for a year after it ends (or, without an end, after it starts).
WORKLOAD_DEPLOYMENT_WINDOW = timedelta(days=365)
WORKLOAD_STATUSES = (
    ShortlistEntry.Status.CONTACTED,
    ShortlistEntry.Status.AVAILABLE,
    ShortlistEntry.Status.SELECTED,
)


def workload_counts(
    *, roster: engine.RosterMatrix, policy: MatchingPolicy, besides: Need, today: date | None = None
) -> np.ndarray:
    """How many other needs each expert is already engaged for: a current shortlist entry that has gone past the
    proposal (contacted, available or selected), or a deployment within the last WORKLOAD_DEPLOYMENT_WINDOW.

    A mere proposal does not count: the secretariat proposes widely, and an expert nobody has asked yet is not
    busy. A declined or removed entry does not count either."""
    since = (today or timezone.localdate()) - WORKLOAD_DEPLOYMENT_WINDOW
    recent_deployment = Q(status=ShortlistEntry.Status.DEPLOYED) & (
        Q(deployed_until__gte=since) | Q(deployed_until__isnull=True, deployed_from__gte=since)
    )
    counts = (
        ShortlistEntry.objects.filter(removed_at__isnull=True)
        .filter(Q(status__in=WORKLOAD_STATUSES) | recent_deployment)
        .exclude(need=besides)
        .order_by()
        .values_list("expert_id")
        .annotate(n=Count("need_id", distinct=True))
    )
    workload = np.zeros(len(roster), dtype=np.int64)
    for expert_id, number in counts:
        row = int(np.searchsorted(roster.expert_ids, expert_id))
        if row < len(roster) and roster.expert_ids[row] == expert_id:
            workload[row] = number
    return workload


def _ensure_may_rank(by: User | None) -> None:
    # None is an operator at the server's command line.
    if by is not None and not getattr(by, "is_secretariat", False):
        raise PermissionDenied


@transaction.atomic
def rank_need(
    *, need: Need, policy: MatchingPolicy | None = None, by: User | None = None, top: int | None = None
) -> RankingSnapshot:
    """Rank the roster for a need and keep the result, its policy and the roster version it was made on."""
    _ensure_may_rank(by)
    policy = policy or matching_policy_active()
    version, roster = ROSTER_CACHE.current()
    vector = need_vector(need=need, roster=roster, policy=policy)
    workload = workload_counts(roster=roster, policy=policy, besides=need)
    ranking = engine.rank(roster, vector, engine_policy(policy), top=top or policy.k, workload=workload)
    snapshot = RankingSnapshot.objects.create(
        need=need,
        policy=policy,
        policy_parameters=policy_parameters(policy),
        roster_version=version,
        excluded=ranking.excluded,
        candidates=ranking.candidates,
        regional_mix=ranking.regional_mix,
        legal_system_mix=ranking.legal_system_mix,
        created_by=by,
    )
    RankedCandidate.objects.bulk_create(
        [
            RankedCandidate(
                snapshot=snapshot,
                expert_id=expert_id,
                rank=position,
                score=score,
                components=dict(zip(engine.COMPONENTS, parts, strict=True)),
                covered_articles=covered,
                missing_articles=missing,
                regional_group=group,
                legal_systems=legal,
            )
            for position, (expert_id, score, parts, covered, missing, group, legal) in enumerate(
                zip(
                    ranking.expert_ids.tolist(),
                    ranking.scores.tolist(),
                    ranking.components.round(engine.SCORE_DECIMALS).tolist(),
                    ranking.covered_articles,
                    ranking.missing_articles,
                    ranking.regional_groups,
                    ranking.legal_systems,
                    strict=True,
                ),
                start=1,
            )
        ]
    )
    audit_record(
        actor=by,
        action=AuditAction.NEED_RANK,
        target=need,
        details={"snapshot": snapshot.pk, "policy": policy.pk, "roster_version": version},
    )
    return snapshot


# --- coverage -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NeedCoverage:
    need_id: int
    articles: tuple[int, ...]
    languages: tuple[str, ...]
    regional_group: str
    qualified: int
    relaxations: tuple[engine.Relaxation, ...]  # only computed for a short need, most candidates added first

    @property
    def best_relaxation(self) -> engine.Relaxation | None:
        return self.relaxations[0] if self.relaxations and self.relaxations[0].adds > 0 else None


def need_coverage(
    *, needs: QuerySet[Need] | None = None, policy: MatchingPolicy | None = None, explain: bool = True
) -> list[NeedCoverage]:
    """For each need (the open ones by default): how many qualified experts it has and, when fewer than the
    policy's k, which single relaxation would add the most. Qualified: passes every filter and holds every article
    the need cites."""
    policy = policy or matching_policy_active()
    _version, roster = ROSTER_CACHE.current()
    rules = engine_policy(policy)
    today = timezone.localdate()
    found = []
    needs = Need.objects.filter(status=Need.Status.OPEN) if needs is None else needs
    for need in (
        needs.select_related("requesting_state").prefetch_related("articles", "working_languages").order_by("pk")
    ):
        vector = need_vector(need=need, roster=roster, policy=policy, today=today)
        qualified = int(engine.qualified(roster, vector, rules).sum())
        short = qualified < policy.k
        found.append(
            NeedCoverage(
                need_id=need.pk,
                articles=vector.articles,
                languages=tuple(sorted(language.pk for language in need.working_languages.all())),
                regional_group=need.requesting_state.regional_group,
                qualified=qualified,
                relaxations=tuple(engine.relaxations(roster, vector, rules)) if short and explain else (),
            )
        )
    return found


def coverage_gaps(*, coverage: Sequence[NeedCoverage], k: int) -> dict[str, dict[str, int]]:
    """The needs with fewer than k qualified experts, counted by cited article, working language and the
    requesting State's regional group: where recruiting would help."""
    gaps: dict[str, dict[str, int]] = {"article": {}, "language": {}, "regional_group": {}}
    for item in coverage:
        if item.qualified >= k:
            continue
        for dimension, values in (
            ("article", [str(a) for a in item.articles]),
            ("language", list(item.languages)),
            ("regional_group", [item.regional_group]),
        ):
            for value in values:
                gaps[dimension][value] = gaps[dimension].get(value, 0) + 1
    return gaps


COVERAGE_GROUPS = ("chapter", "article", "regional_group", "language")


def coverage_counts(*, min_experts: int, group_by: str | None = None) -> dict[str, int]:
    """How many open needs have at least `min_experts` qualified experts, in all ({"total": n}) or per value of
    the need's chapter, article, requesting State's regional group or working language. A need citing several
    articles (or languages) counts once in each of their groups."""
    if group_by is not None and group_by not in COVERAGE_GROUPS:
        raise ValueError(f"group_by must be one of {COVERAGE_GROUPS}")
    coverage = [item for item in need_coverage(explain=False) if item.qualified >= min_experts]
    if group_by is None:
        return {"total": len(coverage)}
    chapters: Mapping[int, str] = dict(Article.objects.values_list("number", "chapter_id"))
    counts: dict[str, int] = {}
    for item in coverage:
        if group_by == "chapter":
            values = {chapters[a] for a in item.articles}
        elif group_by == "article":
            values = {str(a) for a in item.articles}
        elif group_by == "language":
            values = set(item.languages)
        else:
            values = {item.regional_group}
        for value in values:
            counts[value] = counts.get(value, 0) + 1
    return counts
