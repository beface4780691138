"""The engine on small hand-made rosters: each component, each filter with its reason, ties, the regional cap."""

from datetime import date

import numpy as np
import pytest

from matching import engine
from tests.matching.builders import E, need_of, roster_of

POLICY = engine.Policy()


def ranked(experts, need=None, policy=POLICY, top=10, workload=None) -> engine.Ranking:
    roster = roster_of(experts)
    return engine.rank(roster, need or need_of(), policy, top=top, workload=workload)


def components(experts, need=None, policy=POLICY) -> dict[int, dict[str, float]]:
    result = ranked(experts, need, policy)
    return {
        int(expert): dict(zip(engine.COMPONENTS, row.tolist(), strict=True))
        for expert, row in zip(result.expert_ids, result.components, strict=True)
    }


def test_expertise_weighs_each_cited_article_by_level_and_gives_same_chapter_credit():
    need = need_of(articles=(46, 48))  # both in chapter IV (articles 43-50)
    parts = components([E(1, articles={46: 3, 48: 3}), E(2, articles={46: 3}), E(3, articles={44: 3})], need)
    assert parts[1]["expertise"] == 1.0
    assert parts[2]["expertise"] == pytest.approx((1.0 + 0.25) / 2)
    assert parts[3]["expertise"] == pytest.approx(0.25)


def test_covered_and_missing_articles_are_named():
    result = ranked([E(1, articles={46: 2, 5: 1})], need_of(articles=(46, 48, 5)))
    assert result.covered_articles == [[46, 5]] and result.missing_articles == [[48]]


def test_an_expert_without_any_article_of_the_needs_chapters_is_excluded_as_no_expertise():
    result = ranked([E(1, articles={5: 3}), E(2)])
    assert result.expert_ids.tolist() == [2] and result.excluded == {"no_expertise": 1}


def test_without_same_chapter_credit_only_a_cited_article_makes_a_candidate():
    result = ranked([E(1, articles={44: 3}), E(2)], policy=engine.Policy(same_chapter_credit=0.0))
    assert result.expert_ids.tolist() == [2] and result.excluded == {"no_expertise": 1}


def test_assistance_type_language_geography_and_workload_components():
    need = need_of(assistance="legal_advice", languages=("en", "fr"), min_level=4, country="KEN")
    experts = [
        E(1, assistance=("legal_advice",), languages={"fr": 7}, nationality="NGA"),  # same group, common law
        E(2, languages={"en": 4}, nationality="GBR"),  # other group, common law
        E(3, languages={"en": 5}, nationality="FRA"),  # other group, civil law only
    ]
    parts = components(experts, need)
    assert parts[1]["assistance_type"] == 1.0 and parts[2]["assistance_type"] == 0.0
    assert parts[1]["language"] == 1.0 and parts[2]["language"] == 0.5
    assert parts[3]["language"] == pytest.approx(0.5 + 0.5 / 3)
    assert parts[1]["geography"] == 1.0 and parts[2]["geography"] == 0.5 and parts[3]["geography"] == 0.0
    busy = ranked(experts, need, workload=np.array([0, 1, 3]))
    assert dict(zip(busy.expert_ids.tolist(), busy.components[:, 4].tolist(), strict=True)) == {
        1: 1.0,
        2: 0.5,
        3: 0.25,
    }


def test_the_score_is_the_weighted_sum_of_the_components_and_keeps_six_decimals():
    policy = engine.Policy(weights={"expertise": 3, "assistance_type": 1, "language": 1, "geography": 1, "workload": 1})
    result = ranked([E(1, articles={46: 1}, languages={"en": 5}, nationality="FRA")], policy=policy)
    expected = result.components[0] @ (np.array([3, 1, 1, 1, 1]) / 7)
    assert result.scores[0] == round(expected, engine.SCORE_DECIMALS) and result.scores[0] != round(expected, 3)


@pytest.mark.parametrize(
    "expert, reason",
    [
        (E(9, erased=True, active=False), "erased"),
        (E(9, active=False), "inactive"),
        (E(9, consent=False), "no_consent"),
        (E(9, available_until=date(2026, 12, 31)), "unavailable"),
        (E(9, available_from=date(2028, 1, 1)), "unavailable"),
        (E(9, on_site=False), "modality"),
        (E(9, languages={"en": 3, "ar": 7}), "language"),
        (E(9, conflicts=("KEN",)), "conflict"),
    ],
)
def test_each_hard_filter_excludes_with_its_reason(expert, reason):
    need = need_of(on_site=True, remote=False, desired_from=date(2027, 3, 1), desired_until=date(2027, 6, 30))
    result = ranked([E(1), expert], need)
    assert result.expert_ids.tolist() == [1] and result.excluded == {reason: 1}


def test_availability_is_judged_by_overlap_with_the_desired_period():
    need = need_of(desired_from=date(2027, 3, 1), desired_until=date(2027, 6, 30))
    overlapping = [
        E(1, available_from=date(2027, 6, 30)),
        E(2, available_until=date(2027, 3, 1)),
        E(3, available_from=date(2026, 1, 1), available_until=date(2030, 1, 1)),
    ]
    assert ranked(overlapping, need).expert_ids.tolist() == [1, 2, 3]


def test_modality_must_meet():
    remote_only_need = need_of(remote=True, on_site=False)
    result = ranked([E(1, remote=False), E(2, on_site=False)], remote_only_need)
    assert result.expert_ids.tolist() == [2] and result.excluded == {"modality": 1}


def test_nationals_are_excluded_only_when_the_policy_says_so():
    experts = [E(1, nationality="KEN"), E(2, nationality="FRA")]
    assert ranked(experts).expert_ids.tolist() == [1, 2]
    result = ranked(experts, policy=engine.Policy(exclude_nationals=True))
    assert result.expert_ids.tolist() == [2] and result.excluded == {"national": 1}


def test_equal_experts_are_ordered_by_the_lower_expert_id():
    assert ranked([E(12), E(4), E(8)]).expert_ids.tolist() == [4, 8, 12]


def test_ties_on_score_prefer_more_expertise_whatever_the_ids():
    policy = engine.Policy(weights={"expertise": 1, "assistance_type": 0, "language": 1, "geography": 0, "workload": 0})
    # 2/3 + 0.5 = 1/3 + 5/6: expert 9 has more expertise and goes first despite the higher id.
    experts = [E(1, articles={46: 1}, languages={"en": 6}), E(9, articles={46: 2}, languages={"en": 4})]
    result = ranked(experts, policy=policy)
    assert result.scores[0] == result.scores[1]
    assert result.expert_ids.tolist() == [9, 1]


def test_the_regional_cap_holds_in_the_first_k_places_when_others_are_qualified():
    # Six strong Africans, then weaker experts of other groups.
    experts = [E(i, nationality="KEN") for i in range(1, 7)]
    experts += [E(10, articles={46: 1}, nationality="FRA"), E(11, articles={46: 1}, nationality="MEX")]
    experts += [E(12, articles={46: 1}, nationality="VAT")]
    result = ranked(experts, policy=engine.Policy(k=5, regional_cap=2))
    head = result.regional_groups[:5]
    assert all(head.count(group) <= 2 for group in set(head))
    assert result.expert_ids.tolist()[:5] == [1, 2, 10, 11, 12]
    assert result.expert_ids.tolist()[5:] == [3, 4, 5, 6]
    assert result.regional_mix == {"AFR": 6, "WEOG": 1, "GRULAC": 1, "": 1}


def test_the_cap_gives_way_only_as_far_as_other_groups_run_out():
    experts = [E(i, nationality="KEN") for i in range(1, 7)] + [E(10, articles={46: 1}, nationality="FRA")]
    result = ranked(experts, policy=engine.Policy(k=5, regional_cap=2))
    # Only one non-African is qualified: three Africans must fill the first five places, not more.
    assert result.expert_ids.tolist()[:5] == [1, 2, 10, 3, 4]
    assert result.regional_groups[:5].count("AFR") == 4


def test_the_list_reports_its_legal_system_mix():
    result = ranked([E(1, nationality="NGA"), E(2, nationality="FRA")])
    assert dict(zip(result.expert_ids.tolist(), result.legal_systems, strict=True)) == {
        1: ["common", "islamic"],
        2: ["civil"],
    }
    assert result.legal_system_mix == {"common": 1, "islamic": 1, "civil": 1}


def test_top_limits_the_list_and_candidates_counts_everyone_eligible():
    result = ranked([E(i) for i in range(1, 21)], top=3)
    assert len(result.expert_ids) == 3 and result.candidates == 20


def test_qualified_needs_every_cited_article_and_relaxations_say_what_would_help():
    need = need_of(articles=(46, 48), min_level=5, remote=False, on_site=True)
    experts = [
        E(1, articles={46: 3, 48: 1}, languages={"en": 5}),
        E(2, articles={46: 3}, languages={"en": 5}),
        E(3, articles={46: 3}, languages={"en": 5}),
        E(4, articles={46: 3, 48: 3}, languages={"en": 4}),
        E(5, articles={46: 3, 48: 3}, languages={"en": 5}, on_site=False),
    ]
    roster = roster_of(experts)
    assert roster.expert_ids[engine.qualified(roster, need, POLICY)].tolist() == [1]
    found = {r.name: r for r in engine.relaxations(roster, need, POLICY)}
    assert found["article_dropped"].adds == 2 and found["article_dropped"].article == 48
    assert found["language_level_lower"].adds == 1 and found["remote_accepted"].adds == 1
    assert "nationals_allowed" not in found
    assert engine.relaxations(roster, need, POLICY)[0].name == "article_dropped"
