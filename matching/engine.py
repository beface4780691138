"""Scoring and ranking of the roster for one need: arrays in, arrays out, no Django.

The roster is held as a few dense arrays, one row per expert (RosterMatrix); a need is a handful of indices into
their columns (NeedVector). Every expert is scored at once with vector operations, so ranking one need among
100,000 experts costs a few milliseconds instead of a Python loop over objects (benchmarks/bench_ranking.py).

Components, each in [0, 1]:
- expertise: mean over the need's articles of the best of (the expert's level in it / 3) and (same-chapter credit x
  the expert's best level in that article's chapter / 3); taking the best of the two means that adding an article
  the need cites can never lower a score;
- assistance_type: the expert has delivered this kind of assistance before;
- language: 0.5 at the need's minimum level in its best working language, rising to 1 for a native speaker;
- geography: 0.5 for the requesting State's UN regional group, 0.5 for a legal-system component in common;
- workload: 1 / (1 + the number of needs the expert is already shortlisted or deployed for).
The score is the weighted sum with the policy's weights scaled to sum to 1, so it stays in [0, 1].
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace

import numpy as np
import numpy.typing as npt

COMPONENTS = ("expertise", "assistance_type", "language", "geography", "workload")
# Each expert is excluded for the first of these that applies, so the counts add up to the excluded total.
EXCLUSION_REASONS = (
    "erased",
    "inactive",
    "no_consent",
    "unavailable",
    "modality",
    "language",
    "conflict",
    "national",
    "no_expertise",
)
# The five UN regional groups, and one bucket more for the States outside them (Holy See, State of Palestine,
# Cook Islands, Niue): balance is kept across all six.
REGIONAL_GROUPS = ("AFR", "APG", "EEG", "GRULAC", "WEOG", "")
NO_GROUP = len(REGIONAL_GROUPS) - 1
ARTICLES = 71
NATIVE = 7
# Ordinal days standing for an open start or end of a period.
OPEN_START = 0
OPEN_END = np.iinfo(np.int32).max
# Scores are compared at this many decimals, so that float noise never decides a tie.
SCORE_DECIMALS = 6

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


@dataclass(frozen=True)
class Policy:
    """The parameters of a ranking; matching.models.MatchingPolicy is what the secretariat edits."""

    weights: Mapping[str, float] = field(
        default_factory=lambda: {
            "expertise": 0.5,
            "assistance_type": 0.15,
            "language": 0.15,
            "geography": 0.1,
            "workload": 0.1,
        }
    )
    same_chapter_credit: float = 0.25
    k: int = 5
    regional_cap: int = 2
    exclude_nationals: bool = False

    def weight_vector(self) -> FloatArray:
        weights = np.array([float(self.weights.get(name, 0.0)) for name in COMPONENTS])
        if (weights < 0).any() or weights.sum() <= 0:
            raise ValueError("Weights must be non-negative and not all zero.")
        return weights / weights.sum()


@dataclass(frozen=True)
class RosterMatrix:
    """Every expert of the roster as rows of arrays. Codes tuples give the meaning of column indices and bits."""

    expert_ids: IntArray  # (n,), ascending
    article_levels: npt.NDArray[np.uint8]  # (n, 71): level 0-3 in article j + 1
    article_chapter: npt.NDArray[np.int8]  # (71,): chapter index of article j + 1
    chapter_levels: npt.NDArray[np.uint8]  # (n, chapters): best level in any article of the chapter
    language_codes: tuple[str, ...]
    language_levels: npt.NDArray[np.uint8]  # (n, languages): CEFR 1-6, native 7, 0 none
    assistance_codes: tuple[str, ...]
    assistance_mask: npt.NDArray[np.uint32]  # (n,): bit t = delivered assistance type t
    country_codes: tuple[str, ...]
    country_group: npt.NDArray[np.int8]  # (countries,): index into REGIONAL_GROUPS
    country_legal: npt.NDArray[np.uint8]  # (countries,): bit s = legal-system component s
    legal_system_codes: tuple[str, ...]
    nationality: npt.NDArray[np.int16]  # (n,): index into country_codes
    conflict_rows: IntArray  # (m,): the expert row of each declared conflict
    conflict_countries: npt.NDArray[np.int16]  # (m,): the State of each declared conflict
    active: BoolArray
    consent: BoolArray
    erased: BoolArray
    available_from: npt.NDArray[np.int32]  # ordinal day, OPEN_START when not stated
    available_until: npt.NDArray[np.int32]  # ordinal day, OPEN_END when not stated
    remote: BoolArray
    on_site: BoolArray

    def __len__(self) -> int:
        return len(self.expert_ids)

    @property
    def regional_group(self) -> npt.NDArray[np.int8]:
        return self.country_group[self.nationality]

    @property
    def legal_systems(self) -> npt.NDArray[np.uint8]:
        return self.country_legal[self.nationality]


@dataclass(frozen=True)
class NeedVector:
    """One need in the roster's coordinates."""

    articles: tuple[int, ...]  # article numbers 1-71
    assistance_type: int  # index into assistance_codes, -1 when unknown
    languages: tuple[int, ...]  # indices into language_codes
    min_language_level: int
    country: int  # index into country_codes of the requesting State
    remote: bool
    on_site: bool
    desired_from: int = OPEN_START
    desired_until: int = OPEN_END


@dataclass(frozen=True)
class Ranking:
    """The ranked candidates (rows of the roster, best first) and why everyone else is absent."""

    rows: IntArray
    expert_ids: IntArray
    scores: FloatArray  # rounded to SCORE_DECIMALS
    components: FloatArray  # (len(rows), len(COMPONENTS))
    covered_articles: list[list[int]]
    missing_articles: list[list[int]]
    regional_groups: list[str]
    legal_systems: list[list[str]]
    excluded: dict[str, int]
    candidates: int  # experts who passed every filter, ranked or not
    regional_mix: dict[str, int]
    legal_system_mix: dict[str, int]


@dataclass(frozen=True)
class Scored:
    """The candidates (rows that passed every filter) with their components, scores and ordering keys."""

    rows: IntArray  # (m,) roster rows, ascending
    reasons: dict[str, int]
    components: FloatArray  # (m, len(COMPONENTS))
    scores: FloatArray  # (m,) rounded to SCORE_DECIMALS
    keys: npt.NDArray[np.int64]  # (m,) score, then expertise, as one comparable integer

    def of(self, row: int) -> float | None:
        """The score of a roster row, or None when it is not a candidate."""
        at = int(np.searchsorted(self.rows, row))
        return float(self.scores[at]) if at < len(self.rows) and self.rows[at] == row else None


def hard_filters(roster: RosterMatrix, need: NeedVector, policy: Policy) -> tuple[BoolArray, dict[str, int]]:
    """Who may be proposed at all, and how many were excluded for each reason (the first that applies)."""
    failing = _failing(roster, need, policy)
    remaining = np.ones(len(roster), dtype=bool)
    reasons: dict[str, int] = {}
    for reason in EXCLUSION_REASONS:
        hit = remaining & failing[reason]
        count = int(hit.sum())
        if count:
            reasons[reason] = count
            remaining &= ~hit
    return remaining, reasons


def exclusion_reason(roster: RosterMatrix, need: NeedVector, policy: Policy, row: int) -> str | None:
    """The first of EXCLUSION_REASONS that keeps a roster row out of the need's candidates; None when none does
    (an assignment run says why it could not honour a pin with it)."""
    failing = _failing(roster, need, policy)
    return next((reason for reason in EXCLUSION_REASONS if failing[reason][row]), None)


def _failing(roster: RosterMatrix, need: NeedVector, policy: Policy) -> dict[str, BoolArray]:
    """For each hard filter, the rows it fails."""
    n = len(roster)
    if need.languages:
        best_language = roster.language_levels[:, list(need.languages)].max(axis=1)
    else:
        best_language = np.zeros(n, dtype=np.uint8)
    conflicted = np.zeros(n, dtype=bool)
    conflicted[roster.conflict_rows[roster.conflict_countries == need.country]] = True
    return {
        "erased": roster.erased,
        "inactive": ~roster.active,
        "no_consent": ~roster.consent,
        "unavailable": (roster.available_from > need.desired_until) | (roster.available_until < need.desired_from),
        "modality": ~((need.remote & roster.remote) | (need.on_site & roster.on_site)),
        "language": best_language < need.min_language_level,
        "conflict": conflicted,
        "national": (roster.nationality == need.country) if policy.exclude_nationals else np.zeros(n, dtype=bool),
        "no_expertise": ~_has_expertise(roster, need, policy),
    }


def _has_expertise(roster: RosterMatrix, need: NeedVector, policy: Policy) -> BoolArray:
    """Holds a cited article, or (when the policy gives same-chapter credit) an article of a cited one's chapter:
    an expert whose expertise component would be zero is not a candidate at all."""
    columns = np.array(need.articles, dtype=np.int64) - 1
    held = (roster.article_levels[:, columns] > 0).any(axis=1)
    if policy.same_chapter_credit > 0:
        held |= (roster.chapter_levels[:, np.unique(roster.article_chapter[columns])] > 0).any(axis=1)
    return held


def score(roster: RosterMatrix, need: NeedVector, policy: Policy, workload: IntArray | None = None) -> Scored:
    """The candidates' components and scores; only rows that pass the filters are scored (at 100,000 experts the
    arithmetic, not the filtering, is what costs)."""
    eligible, reasons = hard_filters(roster, need, policy)
    rows = np.flatnonzero(eligible)
    m = len(rows)
    components = np.empty((m, len(COMPONENTS)))

    credit = np.zeros(m)
    for number in need.articles:
        own = roster.article_levels[rows, number - 1] * (1.0 / 3.0)
        chapter = roster.chapter_levels[rows, roster.article_chapter[number - 1]] * (policy.same_chapter_credit / 3.0)
        credit += np.maximum(own, chapter)
    components[:, 0] = credit / max(len(need.articles), 1)

    if need.assistance_type >= 0:
        components[:, 1] = (roster.assistance_mask[rows] >> np.uint32(need.assistance_type)) & np.uint32(1)
    else:
        components[:, 1] = 0.0

    best = np.zeros(m, dtype=np.uint8)
    for language in need.languages:
        np.maximum(best, roster.language_levels[rows, language], out=best)
    span = NATIVE - need.min_language_level
    components[:, 2] = 0.5 + 0.5 * (best.astype(np.float64) - need.min_language_level) / span if span > 0 else 1.0
    np.clip(components[:, 2], 0.0, 1.0, out=components[:, 2])

    group = roster.country_group[need.country]
    nationality = roster.nationality[rows]
    same_group = (roster.country_group[nationality] == group) & (group != NO_GROUP)
    shared_legal = (roster.country_legal[nationality] & roster.country_legal[need.country]) != 0
    components[:, 3] = 0.5 * same_group + 0.5 * shared_legal

    components[:, 4] = 1.0 if workload is None else 1.0 / (1.0 + workload[rows])

    scale = 10**SCORE_DECIMALS
    score_units = np.rint((components @ policy.weight_vector()) * scale).astype(np.int64)
    expertise_units = np.rint(components[:, 0] * scale).astype(np.int64)
    # Both lie in [0, 10**6], below 2**20: comparing the packed integers compares (score, expertise) exactly.
    return Scored(
        rows=rows,
        reasons=reasons,
        components=components,
        scores=score_units / scale,
        keys=(score_units << 21) | expertise_units,
    )


def _best(at: IntArray, keys: npt.NDArray[np.int64], ids: IntArray, count: int) -> IntArray:
    """The `count` first of the candidates `at` in ranking order (key descending, then lower expert id), unordered,
    in linear time: categorical data ties by the thousand, so a tie at the boundary is cut by id, not taken whole."""
    if len(at) <= count:
        return at
    values = keys[at]
    threshold = np.partition(values, len(at) - count)[len(at) - count]
    above = at[values > threshold]
    tied = at[values == threshold]
    wanted = count - len(above)
    if wanted < len(tied):
        tied = tied[np.argpartition(ids[tied], wanted - 1)[:wanted]]
    return np.concatenate([above, tied])


def _ordered(at: IntArray, keys: npt.NDArray[np.int64], ids: IntArray) -> IntArray:
    """Score first, then expertise, then the lower expert id: ties are common in categorical data, and the order
    of experts with equal scores must not depend on how the database happened to return them."""
    return at[np.lexsort((ids[at], -keys[at]))]


def balanced(order: Sequence[int], groups: Mapping[int, int] | Sequence[int], *, k: int, cap: int) -> list[int]:
    """Re-rank the head of a list so that no group holds more than `cap` of its first `k` places.

    Greedy: each of the first k places goes to the best remaining candidate whose group is under its cap; only
    when no such candidate is left does the best remaining one take the place. This reaches the largest number of
    places that the cap allows (each group ends at its cap or exhausted), and keeps the score order otherwise.
    """
    remaining = list(order)
    head: list[int] = []
    taken: dict[int, int] = {}
    while remaining and len(head) < k:
        pick = next((row for row in remaining if taken.get(groups[row], 0) < cap), remaining[0])
        remaining.remove(pick)
        head.append(pick)
        taken[groups[pick]] = taken.get(groups[pick], 0) + 1
    return head + remaining


def rank(
    roster: RosterMatrix,
    need: NeedVector,
    policy: Policy,
    *,
    top: int,
    workload: IntArray | None = None,
) -> Ranking:
    """The best `top` candidates for the need, regionally balanced in the first policy.k places, explained."""
    scored = score(roster, need, policy, workload)
    ids = roster.expert_ids[scored.rows]
    groups = roster.regional_group[scored.rows]
    everyone = np.arange(len(scored.rows))
    # Only the best k of each group can be moved up into the first k places, so the pool to sort stays small.
    pool = [_best(everyone, scored.keys, ids, top)]
    for group in range(len(REGIONAL_GROUPS)):
        pool.append(_best(everyone[groups == group], scored.keys, ids, policy.k))
    ordered = _ordered(np.unique(np.concatenate(pool)), scored.keys, ids)
    group_of = dict(zip(ordered.tolist(), groups[ordered].tolist(), strict=True))
    at = np.array(balanced(ordered.tolist(), group_of, k=policy.k, cap=policy.regional_cap)[:top], dtype=np.int64)
    return _explained(at, scored, roster, need)


def _explained(at: IntArray, scored: Scored, roster: RosterMatrix, need: NeedVector) -> Ranking:
    rows = scored.rows[at]
    levels = roster.article_levels[rows][:, np.array(need.articles, dtype=np.int64) - 1]
    covered = [[a for a, level in zip(need.articles, row, strict=True) if level] for row in levels.tolist()]
    missing = [[a for a, level in zip(need.articles, row, strict=True) if not level] for row in levels.tolist()]
    group_names = [REGIONAL_GROUPS[g] for g in roster.regional_group[rows].tolist()]
    legal = [_bits(mask, roster.legal_system_codes) for mask in roster.legal_systems[rows].tolist()]
    regional_mix: dict[str, int] = {}
    for name in group_names:
        regional_mix[name] = regional_mix.get(name, 0) + 1
    legal_mix: dict[str, int] = {}
    for systems in legal:
        for name in systems:
            legal_mix[name] = legal_mix.get(name, 0) + 1
    return Ranking(
        rows=rows,
        expert_ids=roster.expert_ids[rows],
        scores=scored.scores[at],
        components=scored.components[at],
        covered_articles=covered,
        missing_articles=missing,
        regional_groups=group_names,
        legal_systems=legal,
        excluded=dict(scored.reasons),
        candidates=len(scored.rows),
        regional_mix=regional_mix,
        legal_system_mix=legal_mix,
    )


def _bits(mask: int, codes: Sequence[str]) -> list[str]:
    return [code for bit, code in enumerate(codes) if mask >> bit & 1]


def qualified(roster: RosterMatrix, need: NeedVector, policy: Policy) -> BoolArray:
    """Experts who pass every filter and hold every article the need cites: whom the need can count on."""
    eligible, _reasons = hard_filters(roster, need, policy)
    columns = np.array(need.articles, dtype=np.int64) - 1
    return eligible & (roster.article_levels[:, columns] > 0).all(axis=1)


@dataclass(frozen=True)
class Relaxation:
    name: str  # language_level_lower, remote_accepted, article_dropped, nationals_allowed
    adds: int  # qualified experts gained
    article: int | None = None  # the article dropped, for article_dropped


def relaxations(roster: RosterMatrix, need: NeedVector, policy: Policy) -> list[Relaxation]:
    """Each single relaxation that applies to the need, with the qualified experts it would add (for an article
    dropped, the article whose dropping adds most), most added first."""
    base = int(qualified(roster, need, policy).sum())
    options: list[tuple[str, NeedVector, Policy, int | None]] = []
    if need.min_language_level > 1:
        options.append(
            ("language_level_lower", replace(need, min_language_level=need.min_language_level - 1), policy, None)
        )
    if not need.remote:
        options.append(("remote_accepted", replace(need, remote=True), policy, None))
    if len(need.articles) > 1:
        for number in need.articles:
            kept = tuple(a for a in need.articles if a != number)
            options.append(("article_dropped", replace(need, articles=kept), policy, number))
    if policy.exclude_nationals:
        options.append(("nationals_allowed", need, replace(policy, exclude_nationals=False), None))
    found: dict[str, Relaxation] = {}
    for name, relaxed_need, relaxed_policy, article in options:
        adds = int(qualified(roster, relaxed_need, relaxed_policy).sum()) - base
        if name not in found or adds > found[name].adds:
            found[name] = Relaxation(name=name, adds=adds, article=article)
    # Stable: equal gains keep the order above (the gentlest relaxation first).
    return sorted(found.values(), key=lambda relaxation: -relaxation.adds)
