"""Properties of the ranking that must hold for any roster and any need (hypothesis draws them)."""

from dataclasses import replace
from datetime import date, timedelta

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from matching import engine
from tests.matching.builders import COUNTRIES, COUNTRY_CODES, LANGUAGES, E, chapter_of, need_of, roster_of

ARTICLE_POOL = (5, 15, 16, 44, 46, 48, 60)
DAY0 = date(2027, 1, 1)


def _day(offset: int | None) -> date | None:
    return None if offset is None else DAY0 + timedelta(days=offset)


@st.composite
def experts(draw, *, minimum: int = 0, maximum: int = 25) -> list[E]:
    count = draw(st.integers(minimum, maximum))
    ids = draw(st.lists(st.integers(1, 10_000), min_size=count, max_size=count, unique=True))
    people = []
    for expert_id in ids:
        start = draw(st.none() | st.integers(-200, 200))
        length = draw(st.none() | st.integers(0, 300))
        people.append(
            E(
                id=expert_id,
                articles=draw(st.dictionaries(st.sampled_from(ARTICLE_POOL), st.integers(1, 3), max_size=4)),
                languages=draw(st.dictionaries(st.sampled_from(LANGUAGES[:3]), st.integers(1, 7), max_size=3)),
                assistance=tuple(draw(st.sets(st.sampled_from(("legal_advice", "on_site")), max_size=2))),
                nationality=draw(st.sampled_from(COUNTRY_CODES)),
                conflicts=tuple(draw(st.sets(st.sampled_from(COUNTRY_CODES), max_size=2))),
                active=draw(st.booleans() | st.just(True)),
                consent=draw(st.booleans() | st.just(True)),
                erased=draw(st.sampled_from((False, False, False, True))),
                available_from=_day(start),
                available_until=_day(None if start is None or length is None else start + length),
                remote=draw(st.booleans()),
                on_site=draw(st.booleans()),
            )
        )
    return people


@st.composite
def needs(draw):
    start = draw(st.none() | st.integers(-100, 100))
    remote = draw(st.booleans())
    return need_of(
        articles=tuple(draw(st.lists(st.sampled_from(ARTICLE_POOL), min_size=1, max_size=3, unique=True))),
        assistance=draw(st.sampled_from(("legal_advice", "on_site"))),
        languages=tuple(draw(st.lists(st.sampled_from(LANGUAGES[:3]), min_size=1, max_size=2, unique=True))),
        min_level=draw(st.integers(1, 7)),
        country=draw(st.sampled_from(COUNTRY_CODES)),
        remote=remote,
        on_site=draw(st.booleans()) if remote else True,
        desired_from=_day(start),
        desired_until=_day(None if start is None else start + draw(st.integers(0, 200))),
    )


policies = st.builds(
    engine.Policy,
    weights=st.fixed_dictionaries({name: st.integers(0, 5) for name in engine.COMPONENTS}).filter(
        lambda weights: sum(weights.values()) > 0
    ),
    same_chapter_credit=st.sampled_from((0.0, 0.25, 0.5, 1.0)),
    k=st.integers(1, 6),
    regional_cap=st.integers(1, 3),
    exclude_nationals=st.booleans(),
)


def first_reason(expert: E, need: engine.NeedVector, policy: engine.Policy) -> str | None:
    """The filters restated in plain Python, independently of the engine's arrays."""
    country = COUNTRY_CODES[need.country]
    wanted_from, wanted_until = need.desired_from, need.desired_until
    languages = [LANGUAGES[i] for i in need.languages]
    chapters = {chapter_of(a) for a in need.articles}
    checks = [
        ("erased", expert.erased),
        ("inactive", not expert.active),
        ("no_consent", not expert.consent),
        (
            "unavailable",
            (expert.available_from is not None and expert.available_from.toordinal() > wanted_until)
            or (expert.available_until is not None and expert.available_until.toordinal() < wanted_from),
        ),
        ("modality", not ((need.remote and expert.remote) or (need.on_site and expert.on_site))),
        ("language", max((expert.languages.get(code, 0) for code in languages), default=0) < need.min_language_level),
        ("conflict", country in expert.conflicts),
        ("national", policy.exclude_nationals and expert.nationality == country),
        (
            "no_expertise",
            not any(a in need.articles for a in expert.articles)
            and not (policy.same_chapter_credit > 0 and any(chapter_of(a) in chapters for a in expert.articles)),
        ),
    ]
    return next((reason for reason, failed in checks if failed), None)


@settings(max_examples=60, deadline=None)
@given(experts(minimum=1), needs(), policies, st.data())
def test_adding_an_article_the_need_cites_never_lowers_a_score(people, need, policy, data):
    expert = data.draw(st.sampled_from(people))
    article = data.draw(st.sampled_from(need.articles))
    level = data.draw(st.integers(max(expert.articles.get(article, 0), 1), 3))
    before = engine.score(roster_of(people), need, policy)
    richer = [replace(p, articles={**p.articles, article: level}) if p.id == expert.id else p for p in people]
    after = engine.score(roster_of(richer), need, policy)
    row = sorted(p.id for p in people).index(expert.id)
    if before.of(row) is not None:
        assert after.of(row) is not None and after.of(row) >= before.of(row)


@settings(max_examples=60, deadline=None)
@given(experts(), needs(), policies)
def test_nobody_without_a_working_language_at_the_level_appears(people, need, policy):
    result = engine.rank(roster_of(people), need, policy, top=len(people) + 1)
    by_id = {p.id: p for p in people}
    for expert_id in result.expert_ids.tolist():
        best = max(by_id[expert_id].languages.get(LANGUAGES[i], 0) for i in need.languages)
        assert best >= need.min_language_level


@settings(max_examples=60, deadline=None)
@given(experts(), needs(), policies)
def test_excluded_experts_never_appear_and_each_reason_is_counted(people, need, policy):
    result = engine.rank(roster_of(people), need, policy, top=len(people) + 1)
    reasons = {p.id: first_reason(p, need, policy) for p in people}
    expected: dict[str, int] = {}
    for reason in reasons.values():
        if reason:
            expected[reason] = expected.get(reason, 0) + 1
    assert result.excluded == expected
    assert sorted(result.expert_ids.tolist()) == sorted(i for i, reason in reasons.items() if reason is None)
    assert result.candidates + sum(result.excluded.values()) == len(people)


@settings(max_examples=60, deadline=None)
@given(experts(), needs(), policies, st.randoms(use_true_random=False), st.integers(1, 30))
def test_the_same_inputs_give_the_same_ranking_whatever_the_row_order(people, need, policy, random, top):
    first = engine.rank(roster_of(people), need, policy, top=top)
    again = engine.rank(roster_of(people), need, policy, top=top)
    shuffled = list(people)
    random.shuffle(shuffled)
    other_order = engine.rank(roster_of(shuffled, sort=False), need, policy, top=top)
    for result in (again, other_order):
        assert result.expert_ids.tolist() == first.expert_ids.tolist()
        assert result.scores.tolist() == first.scores.tolist()


@settings(max_examples=60, deadline=None)
@given(experts(), needs(), policies)
def test_the_components_and_the_weights_give_the_score(people, need, policy):
    result = engine.rank(roster_of(people), need, policy, top=len(people) + 1)
    weights = np.array([policy.weights[name] for name in engine.COMPONENTS], dtype=float)
    for parts, score in zip(result.components, result.scores, strict=True):
        assert ((parts >= 0) & (parts <= 1)).all()
        assert abs(float(parts @ weights) / weights.sum() - score) < 10**-engine.SCORE_DECIMALS


@settings(max_examples=60, deadline=None)
@given(experts(maximum=30), needs(), policies, st.integers(1, 30))
def test_the_regional_cap_holds_in_the_first_k_whenever_the_candidates_allow(people, need, policy, top):
    result = engine.rank(roster_of(people), need, policy, top=top)
    eligible = [p for p in people if first_reason(p, need, policy) is None]
    per_group: dict[int, int] = {}
    for p in eligible:
        group = COUNTRIES[p.nationality][0]
        per_group[group] = per_group.get(group, 0) + 1
    head = result.regional_groups[: min(policy.k, top)]
    over_cap = sum(max(0, head.count(group) - policy.regional_cap) for group in set(head))
    # Places the cap cannot fill from other groups are the only ones allowed beyond it, and no more.
    fillable = sum(min(count, policy.regional_cap) for count in per_group.values())
    assert over_cap == max(0, len(head) - fillable)
    # Beyond the rebalanced head, the list keeps the score order.
    tail = result.scores[len(head) :]
    assert (np.diff(tail) <= 0).all()
