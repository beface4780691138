"""Properties of the global assignment for any small instance (hypothesis draws them), checked against a brute
force that tries every subset of pairs and keeps the best in the documented order: rules met, places filled, bands
kept, scores."""

import itertools
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.assignment import AssignmentProblem, assign

GROUPS = ("AFR", "WEOG", "")
SYSTEMS = 3


@st.composite
def problems(draw, *, rules: bool = False, max_needs: int = 3, max_experts: int = 4) -> AssignmentProblem:
    needs = draw(st.integers(1, max_needs))
    experts = draw(st.integers(1, max_experts))
    levels = st.sampled_from((0.0, 0.0, 0.25, 0.5, 0.5, 0.75, 1.0))
    scores = np.array(draw(st.lists(levels, min_size=needs * experts, max_size=needs * experts))).reshape(
        needs, experts
    )
    pairs = st.tuples(st.integers(0, needs - 1), st.integers(0, experts - 1))
    # The last bands ask for more than everyone: minimum shares adding up to more than 1.
    bands = draw(st.sampled_from((None, {0: (0.3, 1.0), 1: (0.0, 0.5)}, {0: (0.6, 1.0), 1: (0.6, 0.8)})))
    fields = {
        "scores": scores,
        "places": np.array(draw(st.lists(st.integers(0, 3), min_size=needs, max_size=needs))),
        "capacity": np.array(draw(st.lists(st.integers(0, 2), min_size=experts, max_size=experts))),
        "expert_group": np.array(draw(st.lists(st.integers(0, 2), min_size=experts, max_size=experts))),
        "need_group": np.array(draw(st.lists(st.integers(-1, 1), min_size=needs, max_size=needs))),
        "groups": GROUPS,
        "regional_cap": draw(st.none() | st.integers(1, 2)),
        "share_bands": bands,
        "forced": frozenset(draw(st.lists(pairs, max_size=2))),
        "forbidden": frozenset(draw(st.lists(pairs, max_size=2))),
    }
    if rules:
        fields["own_region_floor"] = draw(st.booleans())
        fields["min_legal_systems"] = draw(st.sampled_from((0, 2, 3)))
        fields["expert_legal_systems"] = np.array(
            draw(st.lists(st.booleans(), min_size=experts * SYSTEMS, max_size=experts * SYSTEMS))
        ).reshape(experts, SYSTEMS)
    return AssignmentProblem(**fields)


def _usable(problem: AssignmentProblem) -> np.ndarray:
    usable = (problem.scores > 0) & (problem.capacity > 0)[None, :]
    for need, expert in problem.forbidden:
        usable[need, expert] = False
    return usable


def _shortage(problem: AssignmentProblem, chosen: set[tuple[int, int]]) -> int:
    """How far the rules are from met, stated independently of the engine."""
    usable = _usable(problem)
    cap = math.inf if problem.regional_cap is None else problem.regional_cap
    short = 0
    for need in range(problem.scores.shape[0]):
        experts = [e for n, e in chosen if n == need]
        if problem.min_legal_systems > 1 and problem.expert_legal_systems is not None:
            reachable = problem.expert_legal_systems[usable[need]].any(axis=0).sum()
            target = min(problem.min_legal_systems, int(reachable), int(problem.places[need]))
            covered = int(problem.expert_legal_systems[experts].any(axis=0).sum()) if experts else 0
            # A target of one system is no more than one expert: staffing, not the rule.
            short += max(0, target - covered) if target > 1 else 0
        own = problem.need_group[need]
        floor = problem.own_region_floor and own >= 0 and problem.places[need] > 0 and cap > 0
        if floor and (usable[need] & (problem.expert_group == own)).any():
            short += not any(problem.expert_group[e] == own for e in experts)
    return short


def _deviation(problem: AssignmentProblem, chosen: set[tuple[int, int]]) -> int:
    total = len(chosen)
    deviation = 0
    for group, (low, high) in (problem.share_bands or {}).items():
        count = sum(problem.expert_group[e] == group for _n, e in chosen)
        deviation += max(0, math.ceil(low * total - 1e-9) - count) + max(0, count - math.floor(high * total + 1e-9))
    return deviation


def _feasible(problem: AssignmentProblem, chosen: set[tuple[int, int]]) -> bool:
    cap = math.inf if problem.regional_cap is None else problem.regional_cap
    needs, experts = problem.scores.shape
    per_need = np.bincount([n for n, _e in chosen], minlength=needs)
    load = np.bincount([e for _n, e in chosen], minlength=experts)
    per_group: dict[tuple[int, int], int] = {}
    for n, e in chosen:
        key = (n, int(problem.expert_group[e]))
        per_group[key] = per_group.get(key, 0) + 1
    return (
        (per_need <= problem.places).all()
        and (load <= problem.capacity).all()
        and all(count <= cap for count in per_group.values())
    )


def brute_force(problem: AssignmentProblem, kept_pins: set[tuple[int, int]]) -> tuple:
    """The best key (-shortage, assignments, -deviation, score) over every feasible set holding the kept pins."""
    usable = _usable(problem)
    free = [(n, e) for n, e in zip(*np.nonzero(usable), strict=True) if (n, e) not in kept_pins]
    best = None
    for size in range(len(free) + 1):
        for extra in itertools.combinations(free, size):
            chosen = kept_pins | {(int(n), int(e)) for n, e in extra}
            if not _feasible(problem, chosen):
                continue
            key = (
                -_shortage(problem, chosen),
                len(chosen),
                -_deviation(problem, chosen),
                round(sum(problem.scores[n, e] for n, e in chosen), 6),
            )
            best = key if best is None or key > best else best
    return best


def _key(problem: AssignmentProblem, result) -> tuple:
    chosen = {(n, e) for n, experts in enumerate(result.assignments) for e in experts}
    return (
        -_shortage(problem, chosen),
        len(chosen),
        -_deviation(problem, chosen),
        round(sum(problem.scores[n, e] for n, e in chosen), 6),
    )


def _invariants(problem: AssignmentProblem, result) -> None:
    chosen = {(n, e) for n, experts in enumerate(result.assignments) for e in experts}
    assert all(problem.scores[n, e] > 0 and (n, e) not in problem.forbidden for n, e in chosen)
    assert _feasible(problem, chosen)
    # Every pin is either assigned or reported, never both.
    assert all(((n, e) in chosen) != ((n, e) in result.rejected_pins) for n, e in problem.forced)
    for need, experts in enumerate(result.assignments):
        missing = int(problem.places[need]) - len(experts)
        assert (need in result.unfilled) == (missing > 0)
        if missing > 0:
            assert result.unfilled[need].places == missing
        assert [problem.scores[need, e] for e in experts] == sorted(
            (problem.scores[need, e] for e in experts), reverse=True
        )
    assert result.figures.load_violations == 0 and result.figures.needs_over_cap == 0
    assert result.figures.objective <= result.figures.unconstrained_objective + 1e-9 or problem.forced


SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(problems())
def test_the_flow_finds_the_brute_force_optimum(problem):
    result = assign(problem, solver="flow")
    _invariants(problem, result)
    kept = {(n, e) for n, e in problem.forced if (n, e) not in result.rejected_pins}
    assert _key(problem, result) == brute_force(problem, kept)


@SETTINGS
@given(problems(rules=True))
def test_the_milp_finds_the_brute_force_optimum_with_the_rules(problem):
    result = assign(problem, solver="milp")
    _invariants(problem, result)
    kept = {(n, e) for n, e in problem.forced if (n, e) not in result.rejected_pins}
    assert _key(problem, result) == brute_force(problem, kept)
    unmet = set(result.unmet_rules)
    assert (_shortage(problem, {(n, e) for n, ex in enumerate(result.assignments) for e in ex}) > 0) == bool(unmet)


@settings(max_examples=30, deadline=None)
@given(problems(max_needs=6, max_experts=12), st.integers(1, 3))
def test_pruning_never_leaves_a_place_empty_that_an_unused_expert_could_fill(problem, depth):
    result = assign(problem, solver="flow", candidates_per_group=depth)
    _invariants(problem, result)
    usable = _usable(problem)
    load = np.bincount([e for experts in result.assignments for e in experts], minlength=problem.scores.shape[1])
    cap = math.inf if problem.regional_cap is None else problem.regional_cap
    for need in result.unfilled:
        chosen = result.assignments[need]
        for expert in np.flatnonzero(usable[need]).tolist():
            group_count = sum(problem.expert_group[e] == problem.expert_group[expert] for e in chosen)
            assert expert in chosen or load[expert] >= problem.capacity[expert] or group_count >= cap


@pytest.mark.parametrize("seed", range(3))
def test_the_same_problem_gives_the_same_assignment(seed):
    rng = np.random.default_rng(seed)
    scores = np.round(rng.random((30, 80)) * (rng.random((30, 80)) < 0.5), 2)  # many ties
    problem = AssignmentProblem(
        scores=scores,
        places=np.full(30, 4),
        capacity=rng.integers(1, 3, 80),
        expert_group=rng.integers(0, 3, 80),
        need_group=rng.integers(0, 2, 30),
        groups=GROUPS,
        regional_cap=2,
    )
    assert assign(problem).assignments == assign(problem).assignments
