"""The secretariat's dashboard: the roster against the needs, coverage gaps, stale profiles and deployments.

Every figure is counted by the database (GROUP BY), so the page makes the same few queries whatever the size of
the roster; coverage comes from matching's own definition of a qualified expert (matching.services).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.db.models.functions import ExtractYear
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from matching.models import MatchingPolicy, ShortlistEntry
from matching.services import coverage_gaps, matching_policy_active, need_coverage
from needs.models import Need
from reference.models import Article, Language, LanguageLevel, LegalSystem, RegionalGroup
from reference.names import names_by_code
from roster.models import Expert, ExpertLanguage
from roster.selectors import expert_on_roster, expert_stale

NO_GROUP = ""
NO_GROUP_LABEL = _("No regional group")
# How many needs short of experts, and how many stale profiles, are listed by name (the counts cover them all).
LISTED = 20
DEPLOYMENT_YEARS = 6
# The chart of languages keeps the ones most in demand; the table lists every language with experts or needs.
CHARTED_LANGUAGES = 15

OPEN_NEEDS = Q(status=Need.Status.OPEN)


@dataclass(frozen=True)
class Share:
    code: str
    label: str
    experts: int
    expert_share: float
    # None where needs say nothing of the dimension (gender).
    needs: int | None = None
    need_share: float | None = None


@dataclass(frozen=True)
class Composition:
    dimension: str
    title: str | Promise
    rows: list[Share]
    experts_total: int
    needs_total: int | None
    note: str | Promise = ""


@dataclass(frozen=True)
class CountRow:
    code: str
    label: str
    count: int


@dataclass(frozen=True)
class GapDimension:
    dimension: str
    title: str | Promise
    caption: str | Promise
    rows: list[CountRow]


@dataclass(frozen=True)
class ShortNeed:
    need: Need
    qualified: int


@dataclass(frozen=True)
class CoverageGaps:
    k: int
    open_needs: int
    short_needs: int
    by_dimension: list[GapDimension]
    listed: list[ShortNeed]


@dataclass(frozen=True)
class StaleProfiles:
    total: int
    stale_after_days: int
    by_group: list[CountRow]
    oldest: list[Expert]


@dataclass(frozen=True)
class Deployments:
    years: list[int]
    groups: list[tuple[str, str]]
    # counts[group code][position of the year]
    counts: dict[str, list[int]]
    totals: list[int]


@dataclass
class Dashboard:
    as_of: datetime
    policy: MatchingPolicy
    composition: list[Composition] = field(default_factory=list)
    coverage: CoverageGaps | None = None
    stale: StaleProfiles | None = None
    deployments: Deployments | None = None


def _group_label(code: str | None) -> str:
    return str(RegionalGroup(code).label) if code else str(NO_GROUP_LABEL)


def _group_codes() -> list[str]:
    return [*RegionalGroup.values, NO_GROUP]


def _percent(count: int, total: int) -> float:
    return round(100 * count / total, 1) if total else 0.0


def _count_by(queryset: QuerySet, field: str, *, of: str = "pk", distinct: bool = False) -> dict:
    """{value of FIELD: how many distinct OF have it}, one GROUP BY in the database."""
    return dict(queryset.values_list(field).annotate(n=Count(of, distinct=distinct)).order_by())


def _counted(rows: Iterable[tuple[str | None, int]]) -> dict[str, int]:
    counts: dict[str, int] = {}
    for code, number in rows:
        counts[code or NO_GROUP] = counts.get(code or NO_GROUP, 0) + number
    return counts


def _shares(
    *,
    codes: Iterable[str],
    label: Callable[[str], str],
    experts: Mapping[str, int],
    experts_total: int,
    needs: Mapping[str, int] | None,
    needs_total: int | None,
) -> list[Share]:
    rows = []
    for code in codes:
        if needs is None or needs_total is None:
            rows.append(Share(code, label(code), experts.get(code, 0), _percent(experts.get(code, 0), experts_total)))
            continue
        rows.append(
            Share(
                code,
                label(code),
                experts.get(code, 0),
                _percent(experts.get(code, 0), experts_total),
                needs.get(code, 0),
                _percent(needs.get(code, 0), needs_total),
            )
        )
    return rows


def _composition(*, policy: MatchingPolicy) -> list[Composition]:
    roster: QuerySet[Expert] = expert_on_roster()
    open_needs: QuerySet[Need] = Need.objects.filter(OPEN_NEEDS)

    by_group = _counted(_count_by(roster, "nationality__regional_group").items())
    experts_total = sum(by_group.values())
    needs_by_group = _counted(_count_by(open_needs, "requesting_state__regional_group").items())
    needs_total = sum(needs_by_group.values())
    groups = [code for code in _group_codes() if code or by_group.get(code) or needs_by_group.get(code)]

    genders = _count_by(roster, "gender")

    legal_names = names_by_code(LegalSystem)
    legal_experts = _count_by(
        roster.filter(nationality__legal_systems__isnull=False), "nationality__legal_systems", distinct=True
    )
    legal_needs = _count_by(
        open_needs.filter(requesting_state__legal_systems__isnull=False),
        "requesting_state__legal_systems",
        distinct=True,
    )

    language_names = names_by_code(Language)
    spoken = _count_by(
        ExpertLanguage.objects.filter(expert__in=roster, level__gte=policy.min_language_level),
        "language",
        of="expert",
        distinct=True,
    )
    asked = _count_by(open_needs.filter(working_languages__isnull=False), "working_languages", distinct=True)
    languages = sorted(set(spoken) | set(asked), key=lambda code: (-asked.get(code, 0), -spoken.get(code, 0), code))
    level = LanguageLevel(policy.min_language_level).label

    return [
        Composition(
            "regional_group",
            _("UN regional group"),
            _shares(
                codes=groups,
                label=_group_label,
                experts=by_group,
                experts_total=experts_total,
                needs=needs_by_group,
                needs_total=needs_total,
            ),
            experts_total,
            needs_total,
            _("Experts by their nationality's group; needs by the requesting State's."),
        ),
        Composition(
            "gender",
            _("Gender"),
            _shares(
                codes=Expert.Gender.values,
                label=lambda code: str(Expert.Gender(code).label),
                experts=genders,
                experts_total=experts_total,
                needs=None,
                needs_total=None,
            ),
            experts_total,
            None,
            _("Needs do not ask for a gender: the roster alone."),
        ),
        Composition(
            "legal_system",
            _("Legal system"),
            _shares(
                codes=sorted(set(legal_experts) | set(legal_needs)),
                label=lambda code: legal_names.get(code, code),
                experts=legal_experts,
                experts_total=experts_total,
                needs=legal_needs,
                needs_total=needs_total,
            ),
            experts_total,
            needs_total,
            _(
                "Of the expert's nationality and of the requesting State. A mixed system counts in each of its "
                "components, so shares add up to more than 100%."
            ),
        ),
        Composition(
            "language",
            _("Language"),
            _shares(
                codes=languages,
                label=lambda code: language_names.get(code, code),
                experts=spoken,
                experts_total=experts_total,
                needs=asked,
                needs_total=needs_total,
            ),
            experts_total,
            needs_total,
            _(
                "Experts speaking the language at %(level)s or above (the matching policy's minimum); needs working "
                "in it. Several languages each count, so shares add up to more than 100%%."
            )
            % {"level": level},
        ),
    ]


def _count_rows(counts: Mapping[str, int], label: Callable[[str], str]) -> list[CountRow]:
    ordered = sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    return [CountRow(code, label(code), number) for code, number in ordered]


def _coverage(*, policy: MatchingPolicy) -> CoverageGaps:
    coverage = need_coverage(policy=policy, explain=False)
    gaps = coverage_gaps(coverage=coverage, k=policy.k)
    short = sorted((item for item in coverage if item.qualified < policy.k), key=lambda i: (i.qualified, i.need_id))
    listed_ids = [item.need_id for item in short[:LISTED]]
    needs = Need.objects.select_related("requesting_state").in_bulk(listed_ids)
    titles = names_by_code(Article, "title")
    language_names = names_by_code(Language)
    return CoverageGaps(
        k=policy.k,
        open_needs=len(coverage),
        short_needs=len(short),
        by_dimension=[
            GapDimension(
                "article",
                _("UNCAC article"),
                _("Needs with too few qualified experts, by UNCAC article"),
                _count_rows(gaps["article"], lambda code: f"{code}. {titles.get(int(code), '')}"),
            ),
            GapDimension(
                "language",
                _("Language"),
                _("Needs with too few qualified experts, by working language"),
                _count_rows(gaps["language"], lambda code: language_names.get(code, code)),
            ),
            GapDimension(
                "regional_group",
                _("UN regional group"),
                _("Needs with too few qualified experts, by the requesting State's regional group"),
                _count_rows({code or NO_GROUP: n for code, n in gaps["regional_group"].items()}, _group_label),
            ),
        ],
        listed=[ShortNeed(needs[item.need_id], item.qualified) for item in short[:LISTED] if item.need_id in needs],
    )


def _stale(*, now: datetime) -> StaleProfiles:
    from django.conf import settings

    stale = expert_stale(Expert.objects.filter(status=Expert.Status.ACTIVE, erased_at__isnull=True), now=now)
    by_group = _counted(_count_by(stale, "nominating_state__regional_group").items())
    oldest = list(stale.select_related("nominating_state").order_by("confirmed_on", "pk")[:LISTED])
    return StaleProfiles(
        total=sum(by_group.values()),
        stale_after_days=settings.ROSTER_STALE_AFTER_DAYS,
        by_group=_count_rows(by_group, _group_label),
        oldest=oldest,
    )


def _deployments(*, today: date) -> Deployments:
    first_year = today.year - DEPLOYMENT_YEARS + 1
    years = list(range(first_year, today.year + 1))
    rows = (
        ShortlistEntry.objects.filter(
            status=ShortlistEntry.Status.DEPLOYED,
            removed_at__isnull=True,
            deployed_from__gte=date(first_year, 1, 1),
            deployed_from__lte=date(today.year, 12, 31),
        )
        .annotate(year=ExtractYear("deployed_from"))
        .values_list("year", "expert__nationality__regional_group")
        .annotate(n=Count("pk"))
        .order_by()
    )
    counts = {code: [0] * len(years) for code in _group_codes()}
    for year, group, number in rows:
        counts[group or NO_GROUP][year - first_year] += number
    if not any(counts[NO_GROUP]):
        del counts[NO_GROUP]
    totals = [sum(column) for column in zip(*counts.values(), strict=True)]
    return Deployments(
        years=years,
        groups=[(code, _group_label(code)) for code in counts],
        counts=counts,
        totals=totals,
    )


def dashboard_get(*, user: User) -> Dashboard:
    """Every figure of the dashboard, for the secretariat only (the stale list names people)."""
    if not getattr(user, "is_secretariat", False):
        raise PermissionDenied
    now = timezone.now()
    policy = matching_policy_active()
    return Dashboard(
        as_of=now,
        policy=policy,
        composition=_composition(policy=policy),
        coverage=_coverage(policy=policy),
        stale=_stale(now=now),
        deployments=_deployments(today=timezone.localdate()),
    )
