"""The global assignment on small hand-made instances whose optimum is worked out by hand (no database).

Groups are ("AFR", "WEOG") unless a test says otherwise: 0 is AFR, 1 is WEOG. Experts and needs are indices.
"""

import numpy as np
import pytest

from matching.assignment import AssignmentProblem, Unfilled, assign

AFR, WEOG = 0, 1
BOTH = ("flow", "milp")


def problem(scores, **fields) -> AssignmentProblem:
    scores = np.array(scores, dtype=float)
    needs, experts = scores.shape
    defaults = {
        "places": np.ones(needs, dtype=np.int64),
        "capacity": np.ones(experts, dtype=np.int64),
        "expert_group": np.zeros(experts, dtype=np.int64),
        "need_group": np.zeros(needs, dtype=np.int64),
        "groups": ("AFR", "WEOG"),
    }
    for name in ("places", "capacity", "expert_group", "need_group"):
        if name in fields:
            fields[name] = np.array(fields[name], dtype=np.int64)
    return AssignmentProblem(scores=scores, **{**defaults, **fields})


@pytest.mark.parametrize("solver", BOTH)
def test_each_expert_goes_where_the_whole_is_best_not_where_their_score_is(solver):
    # Both needs rank expert 0 first; independently he would be proposed twice with capacity for one.
    result = assign(problem([[0.9, 0.8], [0.7, 0.0]]), solver=solver)
    assert result.assignments == [[1], [0]]
    assert result.figures.objective == pytest.approx(1.5)
    assert result.figures.unconstrained_objective == pytest.approx(1.6)
    assert result.figures.load_violations == 0 and result.figures.staffed_share == 1.0
    assert result.unfilled == {}


@pytest.mark.parametrize("solver", BOTH)
def test_more_places_filled_beats_higher_scores(solver):
    # Expert 0 would add 0.9 to need 0, but then need 1 stays empty: two places at 0.2 + 0.1 win.
    result = assign(problem([[0.9, 0.2], [0.1, 0.0]], capacity=[1, 1]), solver=solver)
    assert result.assignments == [[1], [0]]
    assert result.figures.assignments == 2


@pytest.mark.parametrize("solver", BOTH)
def test_an_infeasible_instance_is_staffed_as_far_as_possible_with_each_reason(solver):
    scores = [
        [0.5, 0.6, 0.0, 0.0],  # need 0, k=2: experts 0 and 1 (two groups), but 0 serves need 1 better
        [0.9, 0.0, 0.0, 0.0],  # need 1, k=1: expert 0 only
        [0.0, 0.0, 0.8, 0.7],  # need 2, k=3: two WEOG experts, one per need under the cap
        [0.0, 0.0, 0.0, 0.0],  # need 3, k=2: nobody qualifies
        [0.0, 0.0, 0.0, 0.4],  # need 4, k=2: one expert only
    ]
    result = assign(
        problem(
            scores,
            places=[2, 1, 3, 2, 2],
            capacity=[1, 1, 2, 2],
            expert_group=[AFR, WEOG, WEOG, WEOG],
            regional_cap=1,
        ),
        solver=solver,
    )
    assert result.assignments == [[1], [0], [2], [], [3]]
    assert result.unfilled == {
        0: Unfilled(places=1, reason="experts_at_capacity"),
        2: Unfilled(places=2, reason="regional_cap"),
        3: Unfilled(places=2, reason="no_qualified_expert"),
        4: Unfilled(places=1, reason="no_qualified_expert"),
    }
    assert result.figures.staffed_share == pytest.approx(1 / 5)
    assert result.figures.needs_over_cap == 0 and result.figures.load_violations == 0


@pytest.mark.parametrize("solver", BOTH)
def test_a_pair_scored_zero_or_forbidden_is_never_proposed(solver):
    result = assign(
        problem([[0.0, 0.9, 0.3]], places=[3], forbidden=frozenset({(0, 1)})),
        solver=solver,
    )
    assert result.assignments == [[2]]
    assert result.unfilled == {0: Unfilled(places=2, reason="no_qualified_expert")}


@pytest.mark.parametrize("solver", BOTH)
def test_a_forced_pair_is_kept_even_when_worse_and_the_impossible_ones_are_reported(solver):
    scores = [[0.9, 0.2, 0.0], [0.8, 0.7, 0.0]]
    result = assign(
        problem(
            scores,
            capacity=[1, 1, 1],
            forced=frozenset({(0, 1), (1, 1), (1, 2)}),
        ),
        solver=solver,
    )
    # (0, 1) is taken first and uses expert 1's only place; (1, 1) then finds him full; expert 2 is not allowed.
    assert result.assignments == [[1], [0]]
    assert result.rejected_pins == {(1, 1): "expert_at_capacity", (1, 2): "not_allowed"}


@pytest.mark.parametrize("solver", BOTH)
def test_the_legal_system_rule_changes_the_answer(solver):
    scores = [[0.9, 0.8, 0.5]]
    systems = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)  # civil, civil, common law
    plain = problem(scores, places=[2], capacity=[1, 1, 1], expert_legal_systems=systems)
    assert assign(plain, solver=solver).assignments == [[0, 1]]
    ruled = problem(scores, places=[2], capacity=[1, 1, 1], expert_legal_systems=systems, min_legal_systems=2)
    if solver == "flow":
        with pytest.raises(ValueError):
            assign(ruled, solver=solver)
        return
    result = assign(ruled, solver=solver)
    assert result.assignments == [[0, 2]]
    assert result.figures.objective == pytest.approx(1.4)
    assert result.unmet_rules == {}


def test_the_legal_system_rule_asks_only_what_the_candidates_allow():
    systems = np.array([[1, 0], [1, 0]], dtype=bool)
    result = assign(
        problem([[0.9, 0.8]], places=[2], capacity=[1, 1], expert_legal_systems=systems, min_legal_systems=2)
    )
    assert result.assignments == [[0, 1]] and result.unmet_rules == {}


def contended(**fields) -> AssignmentProblem:
    """Need 0 (k=2) has two civil-law experts and one common-law expert; need 1 (k=1) only the common-law one."""
    systems = np.array([[1, 0], [1, 0], [0, 1]], dtype=bool)
    scores = [[0.9, 0.8, 0.1], [0.0, 0.0, 0.5]]
    return problem(
        scores, places=[2, 1], capacity=[1, 1, 1], expert_legal_systems=systems, min_legal_systems=2, **fields
    )


def test_the_legal_system_rule_comes_before_filling_another_need():
    # Need 0 can only meet the rule with expert 2, whom need 1 also needs: the rule wins, need 1 stays empty.
    result = assign(contended())
    assert result.figures.solver == "milp"
    assert result.assignments == [[0, 2], []]
    assert result.unfilled == {1: Unfilled(places=1, reason="experts_at_capacity")}


def test_a_rule_other_needs_make_impossible_is_reported_not_infeasible():
    # Expert 2, the only common-law expert, is pinned to need 1: need 0 cannot have two legal systems.
    result = assign(contended(forced=frozenset({(1, 2)})))
    assert result.assignments == [[0, 1], [2]]
    assert result.unmet_rules == {0: ("legal_system_rule",)}


def test_the_own_region_floor_brings_one_expert_of_the_requesters_group():
    scores = [[0.9, 0.8, 0.3]]
    fields = {"places": [2], "capacity": [1, 1, 1], "expert_group": [WEOG, WEOG, AFR], "need_group": [AFR]}
    assert assign(problem(scores, **fields)).assignments == [[0, 1]]
    result = assign(problem(scores, own_region_floor=True, **fields))
    assert result.figures.solver == "milp"
    assert result.assignments == [[0, 2]]
    assert result.unmet_rules == {}


def test_the_own_region_floor_is_reported_when_its_expert_is_pinned_elsewhere():
    scores = [[0.9, 0.8, 0.3], [0.0, 0.0, 0.6]]
    result = assign(
        problem(
            scores,
            places=[2, 1],
            capacity=[1, 1, 1],
            expert_group=[WEOG, WEOG, AFR],
            need_group=[AFR, AFR],
            own_region_floor=True,
            forced=frozenset({(1, 2)}),
        )
    )
    assert result.assignments == [[0, 1], [2]]
    assert result.unmet_rules == {0: ("own_region_floor",)}


@pytest.mark.parametrize("solver", BOTH)
def test_share_bands_move_a_place_to_another_group_at_the_least_cost(solver):
    # Without bands WEOG takes both places; at most half for WEOG: the AFR expert goes where he loses least (0.3).
    scores = [[0.9, 0.5], [0.9, 0.6]]
    fields = {"capacity": [2, 2], "expert_group": [WEOG, AFR]}
    assert assign(problem(scores, **fields), solver=solver).assignments == [[0], [0]]
    result = assign(problem(scores, share_bands={WEOG: (0.0, 0.5)}, **fields), solver=solver)
    assert result.assignments == [[0], [1]]
    assert result.figures.objective == pytest.approx(1.5)
    assert result.figures.band_deviation == 0.0
    assert result.figures.group_counts == {"AFR": 1, "WEOG": 1}


@pytest.mark.parametrize("solver", BOTH)
def test_a_lower_band_pulls_a_group_in(solver):
    scores = [[0.9, 0.5], [0.9, 0.6]]
    result = assign(
        problem(scores, capacity=[2, 2], expert_group=[WEOG, AFR], share_bands={AFR: (0.5, 1.0)}), solver=solver
    )
    assert result.assignments == [[0], [1]]


@pytest.mark.parametrize("solver", BOTH)
def test_a_band_never_leaves_a_place_empty_and_its_deviation_is_reported(solver):
    result = assign(problem([[0.9], [0.8]], capacity=[2], expert_group=[WEOG], share_bands={WEOG: (0.0, 0.5)}))
    assert result.assignments == [[0], [0]]
    assert result.figures.band_deviation == pytest.approx(0.5)


@pytest.mark.parametrize("solver", BOTH)
def test_capacity_and_the_regional_cap_hold_when_everyone_wants_the_same_experts(solver):
    rng = np.random.default_rng(7)
    scores = np.round(rng.random((12, 30)), 3)
    scores[:, :5] = 1.0  # five stars every need wants
    capacity = rng.integers(1, 4, 30)
    groups = rng.integers(0, 2, 30)
    result = assign(
        problem(scores, places=np.full(12, 4), capacity=capacity, expert_group=groups, regional_cap=2), solver=solver
    )
    load = np.bincount([e for chosen in result.assignments for e in chosen], minlength=30)
    assert (load <= capacity).all()
    for chosen in result.assignments:
        assert np.bincount(groups[chosen], minlength=2).max() <= 2
    assert result.figures.load_violations == 0 and result.figures.needs_over_cap == 0


def test_each_needs_experts_are_listed_best_first_and_ties_by_index():
    result = assign(problem([[0.5, 0.9, 0.5, 0.7]], places=[4], capacity=[1, 1, 1, 1]))
    assert result.assignments == [[1, 3, 0, 2]]


def test_flow_and_milp_agree_on_a_random_instance():
    rng = np.random.default_rng(3)
    scores = np.round(rng.random((15, 40)) * (rng.random((15, 40)) < 0.6), 4)
    fields = {
        "places": rng.integers(1, 5, 15),
        "capacity": rng.integers(0, 3, 40),
        "expert_group": rng.integers(0, 2, 40),
        "regional_cap": 2,
        "share_bands": {WEOG: (0.2, 0.4)},
    }
    flow = assign(problem(scores, **fields), solver="flow").figures
    milp = assign(problem(scores, **fields), solver="milp").figures
    assert flow.assignments == milp.assignments
    assert flow.band_deviation == pytest.approx(milp.band_deviation)
    assert flow.objective == pytest.approx(milp.objective, abs=1e-6)


@pytest.mark.parametrize(
    "change, message",
    [
        ({"scores": np.array([[1.5]])}, "scores"),
        ({"places": np.array([1, 1])}, "places"),
        ({"capacity": np.array([-1])}, "non-negative"),
        ({"expert_group": np.array([5])}, "expert_group"),
        ({"share_bands": {0: (0.6, 0.4)}}, "band"),
        ({"forced": frozenset({(0, 3)})}, "pin"),
    ],
)
def test_malformed_problems_are_refused(change, message):
    fields = {
        "scores": np.array([[0.5]]),
        "places": np.array([1]),
        "capacity": np.array([1]),
        "expert_group": np.array([0]),
        "need_group": np.array([0]),
        "groups": ("AFR", "WEOG"),
        **change,
    }
    with pytest.raises(ValueError, match=message):
        assign(AssignmentProblem(**fields))


def test_bands_whose_floors_add_up_to_more_than_all_give_the_place_to_the_group_it_brings_closer():
    # One place: WEOG's band is 60-100 %, AFR's 60-80 %. With one assignment WEOG's floor and ceiling are both 1,
    # AFR's floor 1 above its ceiling 0: WEOG's expert misses one floor (AFR's); AFR's expert, though scored higher,
    # misses WEOG's floor and exceeds AFR's ceiling, and bands come before scores. (Hypothesis found this in CI: the
    # flow read AFR's ceiling as 1 and took the better score.)
    problem = AssignmentProblem(
        scores=np.array([[0.5, 0.25]]),
        places=np.array([1]),
        capacity=np.array([1, 1]),
        expert_group=np.array([0, 1]),
        need_group=np.array([-1]),
        groups=("AFR", "WEOG"),
        share_bands={1: (0.6, 1.0), 0: (0.6, 0.8)},
    )
    for solver in ("flow", "milp"):
        assert assign(problem, solver=solver).assignments == [[1]], solver
