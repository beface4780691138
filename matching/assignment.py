"""Global assignment of experts to needs: arrays in, arrays out, no Django.

Ranking each need on its own overloads the best experts and lets one regional group take most places; this module
chooses every need's experts at once.

Interface
---------
``assign(problem, *, solver="auto", candidates_per_group=None) -> AssignmentResult``

``AssignmentProblem`` (indices are rows/columns of ``scores``; the caller keeps the mapping to database ids):
- ``scores``: (needs, experts) floats in [0, 1]; 0 means the pair is not allowed (hard filters, conflicts, or a
  score of zero): such a pair is never proposed, nor is a pair in ``forbidden``.
- ``places``: (needs,) ints, how many experts each need should get (k; it may depend on priority, the caller decides).
- ``capacity``: (experts,) ints, how many needs each expert can take at most (availability).
- ``expert_group``, ``need_group``: ints indexing ``groups`` (the UN regional groups, names only for the figures):
  the expert's group, and the requesting State's group. A ``need_group`` of -1 means no group (no floor applies).
- ``regional_cap``: at most this many experts of one group per need (None: no cap).
- ``own_region_floor``: at least one expert from the requester's group for each need that has a candidate from it.
- ``share_bands``: {group index: (min share, max share)} of all assignments, or None.
- ``forced``, ``forbidden``: frozensets of (need, expert) pins set by the secretariat.
- ``expert_legal_systems``: (experts, systems) bools, and ``min_legal_systems``: at least that many legal systems
  among a need's experts (2: "at least two legal systems"); 0 or 1 switch the rule off.

``AssignmentResult``:
- ``assignments[need]``: the need's expert indices, best score first (ties: lower index first);
- ``unfilled``: {need: Unfilled(places, reason)} for every need with fewer experts than places; reason is one of
  UNFILLED_REASONS (stable codes; the caller translates them):
  "no_qualified_expert" (every usable expert - allowed, capacity above 0 - is already the need's, or there is none),
  "regional_cap" (the remaining usable experts all belong to groups at the need's cap),
  "experts_at_capacity" (the remaining usable experts outside capped groups are all at their capacity);
- ``rejected_pins``: {(need, expert): reason} for forced pairs that could not be honoured, reason one of
  PIN_REASONS; they are reported and left out, never silently dropped;
- ``unmet_rules``: {need: ("legal_system_rule" | "own_region_floor", ...)} for needs whose rule could not be met
  although their candidates would allow it (other needs took the experts it needed);
- ``figures``: see Figures.

What is optimised, in this order (each level only breaks the ties of the ones before):
1. forced pins, then the per-need rules (regional cap always; the legal-system rule and the own-region floor when
   on) are met. The cap is hard. The two other rules are met as far as each need's candidates allow: the legal
   target of a need is min(min_legal_systems, systems among its candidates, its places), and the rule applies when
   that target is 2 or more (one system is just one expert: staffing, level 2); the floor applies when a candidate
   of the requester's group has capacity;
2. as many places as possible are filled (maximum flow): a need that cannot be fully staffed still gets what is
   possible;
3. the share bands are kept: the total distance (in assignments) of each group's count from its band is as small as
   possible. Bands never leave a place empty, so a band can be missed when only one group can fill the places;
4. the sum of the scores of the assignments is as large as possible.

Solvers: "flow" is a min-cost flow (OR-Tools SimpleMinCostFlow, solved as maximum flow at minimum cost):
source -> [group, when bands are on] -> expert (capacity) -> (need, expert's group) (regional cap) -> need (places)
-> sink, cost -round(score x 10^6) on expert -> (need, group). Bands are three parallel arcs per group: up to the
band's floor at a large negative cost, up to its ceiling at zero cost, beyond at a large positive cost. A flow
cannot express the legal-system rule nor the floor ("at least one of" is not a capacity), so "milp" (SciPy's HiGHS,
scipy.optimize.milp) solves the same levels one after the other. "auto" takes the MILP when one of those two rules
is on, the flow otherwise. The flow takes about 0.05 s of CPU at 1,500 experts x 200 needs and 0.7 s at 5,000 x
1,000; the MILP with both rules about 8 s at 1,500 x 200 (benchmarks/bench_assignment.py).

Pruning: each need keeps only its best `candidates_per_group` candidates in each group (and in each legal system
when that rule is on); default 3 x the largest k, never fewer than the largest k. After a solve, any need with an
empty place that a pruned pair could fill directly (spare capacity, group under the cap) gets those pairs back and
the problem is solved again, so no unfilled place is ever due to pruning. Pruning can still, in principle, miss a
better exchange through a long chain of experts: benchmarks/bench_assignment.py finds the unpruned objective equal
at 1,500 x 200, and 5 x 10^-6 higher at 5,000 x 1,000 with four times the candidates.

Figures: ``objective`` is the sum of the scores of all assignments. Two references, both upper bounds of any
assignment without pins: ``unconstrained_objective``, the sum over needs of each need's best `places` usable
scores (usable: score above 0, not forbidden, capacity above 0), ignoring capacity, the regional cap, the rules,
the bands and the other needs; ``independent_objective``, the same under the regional cap (each need ranked on its
own, as engine.rank does).
"""

import math
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from ortools.graph.python import max_flow, min_cost_flow

BoolArray = npt.NDArray[np.bool_]
IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]

# Scores are compared at six decimals, as the ranking does (engine.SCORE_DECIMALS).
SCALE = 10**6
SOLVERS = ("auto", "flow", "milp")
UNFILLED_REASONS = ("no_qualified_expert", "regional_cap", "experts_at_capacity")
PIN_REASONS = ("not_allowed", "forbidden", "expert_at_capacity", "need_full", "regional_cap")
RULES = ("legal_system_rule", "own_region_floor")


@dataclass(frozen=True)
class AssignmentProblem:
    """Everything the assignment needs, as arrays (see the module docstring for each field)."""

    scores: FloatArray
    places: IntArray
    capacity: IntArray
    expert_group: IntArray
    need_group: IntArray
    groups: tuple[str, ...]
    regional_cap: int | None = None
    own_region_floor: bool = False
    share_bands: Mapping[int, tuple[float, float]] | None = None
    forced: frozenset[tuple[int, int]] = frozenset()
    forbidden: frozenset[tuple[int, int]] = frozenset()
    expert_legal_systems: BoolArray | None = None
    min_legal_systems: int = 0

    @property
    def legal_rule(self) -> bool:
        return self.min_legal_systems > 1 and self.expert_legal_systems is not None

    @property
    def needs_milp(self) -> bool:
        """Rules that a flow cannot express."""
        return self.legal_rule or self.own_region_floor


@dataclass(frozen=True)
class Unfilled:
    places: int
    reason: str  # one of UNFILLED_REASONS


@dataclass(frozen=True)
class Figures:
    objective: float  # sum of the scores of all assignments
    unconstrained_objective: float  # each need's best `places` usable scores, nothing else considered
    independent_objective: float  # the same under the regional cap: each need ranked alone, as engine.rank does
    seconds: float  # wall time of assign(), validation and figures included
    needs_over_cap: int  # needs with more than regional_cap experts of one group
    load_violations: int  # experts with more assignments than capacity
    staffed_share: float  # needs with all their places filled / needs with places (1.0 when none)
    solver: str  # "flow" or "milp"
    assignments: int
    experts_used: int
    group_counts: dict[str, int]  # assignments per group name
    band_deviation: float  # largest distance of a group's share from its band (0 when all within, or no bands)
    candidate_pairs: int  # pairs the solver saw after pruning

    @property
    def objective_share(self) -> float:
        return self.objective / self.unconstrained_objective if self.unconstrained_objective else 1.0

    @property
    def independent_share(self) -> float:
        return self.objective / self.independent_objective if self.independent_objective else 1.0


@dataclass
class AssignmentResult:
    assignments: list[list[int]]
    unfilled: dict[int, Unfilled]
    rejected_pins: dict[tuple[int, int], str]
    unmet_rules: dict[int, tuple[str, ...]]
    figures: Figures


@dataclass
class Residual:
    """What the forced pins leave to the solver: places, capacities and per-(need, group) room."""

    places: IntArray
    capacity: IntArray
    cap_room: IntArray  # (needs, groups)
    forced: list[tuple[int, int]] = field(default_factory=list)
    rejected: dict[tuple[int, int], str] = field(default_factory=dict)


@dataclass(frozen=True)
class CandidatePairs:
    """The candidate pairs the solver sees (forced pins excluded: they are fixed beforehand)."""

    need: IntArray
    expert: IntArray

    def __len__(self) -> int:
        return len(self.need)


# --- validation and preparation --------------------------------------------------------------------


def _validate(problem: AssignmentProblem) -> None:
    scores = problem.scores
    if scores.ndim != 2:
        raise ValueError("scores must be a (needs, experts) array")
    needs, experts = scores.shape
    if not np.isfinite(scores).all() or (scores < 0).any() or (scores > 1).any():
        raise ValueError("scores must lie in [0, 1]")
    shapes = {
        "places": (problem.places, needs),
        "need_group": (problem.need_group, needs),
        "capacity": (problem.capacity, experts),
        "expert_group": (problem.expert_group, experts),
    }
    for name, (array, length) in shapes.items():
        if np.shape(array) != (length,):
            raise ValueError(f"{name} must have shape ({length},)")
    if (problem.places < 0).any() or (problem.capacity < 0).any():
        raise ValueError("places and capacity must be non-negative")
    groups = len(problem.groups)
    if experts and ((problem.expert_group < 0).any() or (problem.expert_group >= groups).any()):
        raise ValueError("expert_group must index groups")
    if needs and ((problem.need_group < -1).any() or (problem.need_group >= groups).any()):
        raise ValueError("need_group must index groups, or be -1")
    _validate_rules(problem, needs, experts)


def _validate_rules(problem: AssignmentProblem, needs: int, experts: int) -> None:
    groups = len(problem.groups)
    if problem.regional_cap is not None and problem.regional_cap < 0:
        raise ValueError("regional_cap must be non-negative")
    for group, (low, high) in (problem.share_bands or {}).items():
        if not (0 <= group < groups and 0.0 <= low <= high <= 1.0):
            raise ValueError(f"band of group {group} must be 0 <= min <= max <= 1")
    for need, expert in problem.forced | problem.forbidden:
        if not (0 <= need < needs and 0 <= expert < experts):
            raise ValueError(f"pin {(need, expert)} is outside the problem")
    if problem.expert_legal_systems is not None and np.shape(problem.expert_legal_systems)[:1] != (experts,):
        raise ValueError("expert_legal_systems must have one row per expert")
    if problem.min_legal_systems > 1 and problem.expert_legal_systems is None:
        raise ValueError("min_legal_systems needs expert_legal_systems")


def allowed_pairs(problem: AssignmentProblem) -> BoolArray:
    allowed = problem.scores > 0
    if problem.forbidden:
        need, expert = np.array(sorted(problem.forbidden)).T
        allowed[need, expert] = False
    return allowed


def _cap_of(problem: AssignmentProblem) -> int:
    # No cap is a cap no need can reach.
    return int(problem.places.max(initial=0)) if problem.regional_cap is None else problem.regional_cap


def _pins(problem: AssignmentProblem, allowed: BoolArray) -> Residual:
    """Fix the forced pairs one by one (need, then expert order), rejecting those the others or the limits block."""
    groups = len(problem.groups)
    residual = Residual(
        places=problem.places.astype(np.int64),
        capacity=problem.capacity.astype(np.int64),
        cap_room=np.full((len(problem.places), groups), _cap_of(problem), dtype=np.int64),
    )
    for need, expert in sorted(problem.forced):
        group = int(problem.expert_group[expert])
        if (need, expert) in problem.forbidden:
            reason = "forbidden"
        elif not allowed[need, expert]:
            reason = "not_allowed"
        elif residual.capacity[expert] <= 0:
            reason = "expert_at_capacity"
        elif residual.places[need] <= 0:
            reason = "need_full"
        elif residual.cap_room[need, group] <= 0:
            reason = "regional_cap"
        else:
            residual.forced.append((need, expert))
            residual.capacity[expert] -= 1
            residual.places[need] -= 1
            residual.cap_room[need, group] -= 1
            continue
        residual.rejected[(need, expert)] = reason
    return residual


def _top_columns(keys: IntArray, columns: IntArray, depth: int) -> tuple[IntArray, IntArray]:
    """(need, expert) of each need's best `depth` usable experts among `columns` (see _keys)."""
    if len(columns) == 0:
        return np.empty(0, np.int64), np.empty(0, np.int64)
    block = keys[:, columns]
    if len(columns) > depth:
        # Linear time per need, exactly `depth` kept; partitioning at the far end spares a negated copy.
        cols = np.argpartition(block, len(columns) - depth, axis=1)[:, len(columns) - depth :].ravel()
        rows = np.repeat(np.arange(block.shape[0]), depth)
    else:
        rows, cols = np.indices(block.shape).reshape(2, -1)
    positive = block[rows, cols] >= keys.dtype.type(1) << _index_bits(keys.shape[1])
    return rows[positive], columns[cols[positive]]


def _index_bits(experts: int) -> int:
    return max(experts, 1).bit_length()


def _keys(scores: FloatArray, usable: BoolArray) -> IntArray:
    """The score in units (0 where unusable) and then the lower expert index, packed into one distinct integer per
    pair: scores tie by the thousand (categorical data), and selecting among many equal values is several times
    slower than among distinct ones; it also makes the lower index win among equal scores."""
    experts = scores.shape[1]
    # In place where possible: at 5,000 x 1,000 each temporary array is 40 MB.
    units = np.rint(scores * SCALE).astype(np.int64)
    units[~usable] = 0
    units <<= _index_bits(experts)
    units |= (experts - np.arange(experts, dtype=np.int64))[None, :]
    return units


def _candidates(problem: AssignmentProblem, usable: BoolArray, depth: int) -> CandidatePairs:
    """Each need's best `depth` usable experts per group, and per legal system when that rule is on."""
    column_sets = [np.flatnonzero(problem.expert_group == g) for g in range(len(problem.groups))]
    if problem.legal_rule:
        systems = np.asarray(problem.expert_legal_systems, dtype=bool)
        column_sets += [np.flatnonzero(systems[:, s]) for s in range(systems.shape[1])]
    keys = _keys(problem.scores, usable)
    found = [_top_columns(keys, columns, depth) for columns in column_sets]
    return _unique_pairs(
        np.concatenate([n for n, _e in found]), np.concatenate([e for _n, e in found]), usable.shape[1]
    )


def _unique_pairs(need: IntArray, expert: IntArray, experts: int) -> CandidatePairs:
    """Distinct pairs, sorted by need then expert (the MILP takes each need's pairs as one slice)."""
    keys = np.unique(need.astype(np.int64) * max(experts, 1) + expert)
    return CandidatePairs(need=keys // max(experts, 1), expert=keys % max(experts, 1))


def _for_solver(pairs: CandidatePairs, residual: Residual, experts: int) -> CandidatePairs:
    """The pairs the solver may still choose: not pinned, their need with a place and their expert with capacity."""
    keep = (residual.places[pairs.need] > 0) & (residual.capacity[pairs.expert] > 0)
    if residual.forced:
        forced = np.array([n * experts + e for n, e in residual.forced], dtype=np.int64)
        keep &= ~np.isin(pairs.need * experts + pairs.expert, forced)
    return CandidatePairs(need=pairs.need[keep], expert=pairs.expert[keep])


def _best_sum(
    scores: FloatArray, pairs: CandidatePairs, places: IntArray, group: IntArray | None = None, cap: int = 0
) -> float:
    """The sum over needs of their best `places` scores among the pairs; with `group`, at most `cap` of one group
    per need (greedy in score order, which is optimal for one need alone)."""
    values = scores[pairs.need, pairs.expert]
    keep = np.ones(len(values), dtype=bool)
    if group is not None:
        key = pairs.need * (int(group.max(initial=0)) + 1) + group[pairs.expert]
        order = np.lexsort((-values, key))
        keep[order] = _rank_within(key[order]) < cap
    order = np.lexsort((-values, pairs.need))
    order = order[keep[order]]
    return float(values[order][_rank_within(pairs.need[order]) < places[pairs.need[order]]].sum())


def _rank_within(sorted_keys: IntArray) -> IntArray:
    """0, 1, 2... within each run of equal keys of a sorted array."""
    return np.arange(len(sorted_keys)) - np.searchsorted(sorted_keys, sorted_keys)


def _repairs(
    problem: AssignmentProblem, usable: BoolArray, pairs: CandidatePairs, chosen: BoolArray, residual: Residual
) -> CandidatePairs | None:
    """Pairs left out by pruning that could fill an empty place directly; None when there are none."""
    needs, experts = usable.shape
    taken = np.bincount(pairs.need[chosen], minlength=needs)
    load = np.bincount(pairs.expert[chosen], minlength=experts)
    short = np.flatnonzero(taken < residual.places)
    spare = np.flatnonzero(load < residual.capacity)
    if len(short) == 0 or len(spare) == 0:
        return None
    per_group = np.zeros((needs, len(problem.groups)), dtype=np.int64)
    np.add.at(per_group, (pairs.need[chosen], problem.expert_group[pairs.expert[chosen]]), 1)
    block = usable[np.ix_(short, spare)] & (per_group < residual.cap_room)[short][:, problem.expert_group[spare]]
    # Pairs the solver already had, and pins, are not new.
    row_of, column_of = np.full(needs, -1), np.full(experts, -1)
    row_of[short], column_of[spare] = np.arange(len(short)), np.arange(len(spare))
    forced = np.array(residual.forced, dtype=np.int64).reshape(-1, 2)
    for need, expert in ((pairs.need, pairs.expert), (forced[:, 0], forced[:, 1])):
        inside = (row_of[need] >= 0) & (column_of[expert] >= 0)
        block[row_of[need[inside]], column_of[expert[inside]]] = False
    rows, cols = np.nonzero(block)
    if len(rows) == 0:
        return None
    return _unique_pairs(
        np.concatenate([pairs.need, short[rows]]), np.concatenate([pairs.expert, spare[cols]]), experts
    )


# --- the flow --------------------------------------------------------------------------------------


def band_bounds(problem: AssignmentProblem, total: int) -> dict[int, tuple[int, int]]:
    """Each banded group's band in assignments, for `total` assignments in all."""
    return {
        group: (math.ceil(low * total - 1e-9), math.floor(high * total + 1e-9))
        for group, (low, high) in (problem.share_bands or {}).items()
    }


@dataclass(frozen=True)
class _Network:
    """The arcs every flow shares: expert -> (need, group) -> need -> sink, pair arcs first, and source -> expert."""

    tails: IntArray
    heads: IntArray
    capacities: IntArray
    costs: IntArray
    nodes: int  # the next free node number
    expert_arcs: int  # the last `experts` arcs are source -> expert


SOURCE, SINK = 0, 1


def _network(problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual) -> _Network:
    needs, experts = problem.scores.shape
    groups = len(problem.groups)
    expert_node = 2 + np.arange(experts, dtype=np.int64)
    # One node per (need, group) that has a candidate: the regional cap is that node's way out.
    slots, slot_of_pair = np.unique(
        pairs.need * groups + problem.expert_group[pairs.expert].astype(np.int64), return_inverse=True
    )
    slot_node = 2 + experts + np.arange(len(slots), dtype=np.int64)
    need_node = 2 + experts + len(slots) + np.arange(needs, dtype=np.int64)
    return _Network(
        tails=np.concatenate([expert_node[pairs.expert], slot_node, need_node, np.full(experts, SOURCE)]),
        heads=np.concatenate([slot_node[slot_of_pair], need_node[slots // groups], np.full(needs, SINK), expert_node]),
        capacities=np.concatenate(
            [
                np.ones(len(pairs), dtype=np.int64),
                residual.cap_room[slots // groups, slots % groups],
                residual.places,
                residual.capacity,
            ]
        ),
        costs=np.concatenate(
            [
                -np.rint(problem.scores[pairs.need, pairs.expert] * SCALE).astype(np.int64),
                np.zeros(len(slots) + needs + experts, dtype=np.int64),
            ]
        ),
        nodes=2 + experts + len(slots) + needs,
        expert_arcs=experts,
    )


def _solve_flow(problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual) -> BoolArray:
    """Maximum flow at minimum cost on the pruned graph; which pairs carry a unit of flow."""
    net = _network(problem, pairs, residual)
    tails, heads, capacities, costs = net.tails, net.heads, net.capacities, net.costs
    total = int(residual.places.sum())
    if problem.share_bands:
        # The source feeds each group's node through its band arcs, and the group's node feeds its experts.
        group, band_capacity, band_cost = _band_arcs(problem, net, residual)
        group_node = net.nodes + np.arange(len(problem.groups), dtype=np.int64)
        cut = len(tails) - net.expert_arcs
        tails = np.concatenate([tails[:cut], group_node[problem.expert_group], np.full(len(group), SOURCE)])
        heads = np.concatenate([heads[:cut], heads[cut:], group_node[group]])
        capacities = np.concatenate([capacities, band_capacity])
        costs = np.concatenate([costs, band_cost])
    flow = min_cost_flow.SimpleMinCostFlow()
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails.astype(np.int32), heads.astype(np.int32), capacities.astype(np.int64), costs.astype(np.int64)
    )
    flow.set_nodes_supplies(np.array([SOURCE, SINK], dtype=np.int32), np.array([total, -total], dtype=np.int64))
    status = flow.solve_max_flow_with_min_cost()
    if status != flow.OPTIMAL:
        raise RuntimeError(f"min-cost flow failed with status {status}")
    return flow.flows(arcs[: len(pairs)]) > 0


def _band_arcs(problem: AssignmentProblem, net: _Network, residual: Residual) -> tuple[IntArray, IntArray, IntArray]:
    """(group, capacity, cost) of the source -> group arcs, the convex cost of a group's distance from its band:
    each assignment below the floor earns -big, each above the ceiling costs +big, both at once (a floor above the
    ceiling, when the minimum shares add up to more than 1) nothing. So: up to the lower of floor and ceiling at -big,
    up to the higher at 0, beyond at +big. Bands are shares of the maximum number of assignments, which a plain max
    flow finds first."""
    assigned = _max_flow_value(net) + len(residual.forced)
    forced_per_group = np.bincount(
        np.array([problem.expert_group[e] for _n, e in residual.forced], dtype=np.int64),
        minlength=len(problem.groups),
    )
    bounds = band_bounds(problem, assigned)
    total = int(residual.places.sum())
    # One assignment more inside a band must outweigh any change of scores: their sum stays below this.
    big = SCALE * (total + 1)
    group, capacity, cost = [], [], []
    for g in range(len(problem.groups)):
        low, high = bounds.get(g, (0, total))
        # The forced assignments come first: the flow's k-th unit is the group's (forced + k)-th.
        low = max(0, low - int(forced_per_group[g]))
        high = max(0, high - int(forced_per_group[g]))
        group += [g, g, g]
        capacity += [min(low, high), abs(high - low), total]
        cost += [-big, 0, big]
    return np.array(group, dtype=np.int64), np.array(capacity, dtype=np.int64), np.array(cost, dtype=np.int64)


def _max_flow_value(net: _Network) -> int:
    flow = max_flow.SimpleMaxFlow()
    flow.add_arcs_with_capacity(net.tails.astype(np.int32), net.heads.astype(np.int32), net.capacities)
    if flow.solve(SOURCE, SINK) != flow.OPTIMAL:
        raise RuntimeError("max flow failed")
    return int(flow.optimal_flow())


# --- the rules a flow cannot express ---------------------------------------------------------------


def legal_targets(problem: AssignmentProblem, usable: BoolArray) -> IntArray:
    """Each need's legal-system target: min(min_legal_systems, systems among its usable candidates, its places);
    0 everywhere when the rule is off. `usable`: (needs, experts), the pairs that may be proposed."""
    needs = problem.scores.shape[0]
    if not problem.legal_rule:
        return np.zeros(needs, dtype=np.int64)
    systems = np.asarray(problem.expert_legal_systems, dtype=np.int64)
    reachable = ((usable.astype(np.int64) @ systems) > 0).sum(axis=1)
    return np.minimum(np.minimum(reachable, problem.places), problem.min_legal_systems).astype(np.int64)


def floor_needs(problem: AssignmentProblem, usable: BoolArray) -> BoolArray:
    """The needs the own-region floor applies to: a group, a place, the cap above 0, and a usable candidate of the
    requester's group."""
    needs = problem.scores.shape[0]
    if not problem.own_region_floor or _cap_of(problem) == 0:
        return np.zeros(needs, dtype=bool)
    own = problem.expert_group[None, :] == problem.need_group[:, None]
    return (problem.need_group >= 0) & (problem.places > 0) & (usable & own).any(axis=1)


# --- solving ---------------------------------------------------------------------------------------


def assign(
    problem: AssignmentProblem, *, solver: str = "auto", candidates_per_group: int | None = None
) -> AssignmentResult:
    """The experts of every need at once (see the module docstring for what is optimised, and in which order)."""
    started = time.perf_counter()
    if solver not in SOLVERS:
        raise ValueError(f"solver must be one of {SOLVERS}")
    _validate(problem)
    if solver == "flow" and problem.needs_milp:
        raise ValueError("the legal-system rule and the own-region floor need the MILP solver")
    use_milp = solver == "milp" or (solver == "auto" and problem.needs_milp)
    allowed = allowed_pairs(problem)
    usable = allowed & (problem.capacity > 0)[None, :]
    residual = _pins(problem, allowed)
    most = int(problem.places.max(initial=0))
    # At least the largest k, so that every need's own best k are among its candidates.
    depth = max(candidates_per_group or 3 * most, most, 1)
    every = _candidates(problem, usable, depth)
    unconstrained = _best_sum(problem.scores, every, problem.places)
    independent = _best_sum(problem.scores, every, problem.places, problem.expert_group, _cap_of(problem))
    pairs = _for_solver(every, residual, usable.shape[1])
    if use_milp:
        # Imported here: SciPy's optimisation package takes a noticeable time to import, and most runs are flows.
        from matching.assignment_milp import solve_milp

        solve = solve_milp
    else:
        solve = _solve_flow
    while True:
        chosen = solve(problem, pairs, residual)
        # Pruning must never be why a place stays empty: bring back the pairs that would fill one directly.
        widened = _repairs(problem, usable, pairs, chosen, residual)
        if widened is None:
            break
        pairs = widened
    forced = np.array(residual.forced, dtype=np.int64).reshape(-1, 2)
    need = np.concatenate([pairs.need[chosen], forced[:, 0]])
    expert = np.concatenate([pairs.expert[chosen], forced[:, 1]])
    return _result(
        problem,
        usable,
        need,
        expert,
        residual,
        figures={
            "solver": "milp" if use_milp else "flow",
            "candidate_pairs": len(pairs),
            "unconstrained_objective": unconstrained,
            "independent_objective": independent,
        },
        started=started,
    )


def _result(
    problem: AssignmentProblem,
    usable: BoolArray,
    need: IntArray,
    expert: IntArray,
    residual: Residual,
    *,
    figures: dict[str, Any],
    started: float,
) -> AssignmentResult:
    needs, experts = problem.scores.shape
    scores = problem.scores[need, expert]
    # Best score first, then the lower expert index, so that equal scores never depend on the solver's order.
    order = np.lexsort((expert, -np.rint(scores * SCALE), need))
    assignments: list[list[int]] = [[] for _ in range(needs)]
    for n, e in zip(need[order].tolist(), expert[order].tolist(), strict=True):
        assignments[n].append(e)
    load = np.bincount(expert, minlength=experts)
    per_group = np.zeros((needs, len(problem.groups)), dtype=np.int64)
    np.add.at(per_group, (need, problem.expert_group[expert]), 1)
    unfilled = _unfilled(problem, usable, assignments, load, per_group)
    unmet = _unmet(problem, usable, assignments, per_group)
    figures |= _figures(problem, need, expert, load, per_group)
    return AssignmentResult(
        assignments=assignments,
        unfilled=unfilled,
        rejected_pins=dict(residual.rejected),
        unmet_rules=unmet,
        figures=Figures(**figures, seconds=time.perf_counter() - started),
    )


def _unfilled(
    problem: AssignmentProblem,
    usable: BoolArray,
    assignments: list[list[int]],
    load: IntArray,
    per_group: IntArray,
) -> dict[int, Unfilled]:
    cap = _cap_of(problem)
    found: dict[int, Unfilled] = {}
    for need, chosen in enumerate(assignments):
        missing = int(problem.places[need]) - len(chosen)
        if missing <= 0:
            continue
        others = usable[need].copy()
        others[chosen] = False
        if not others.any():
            reason = "no_qualified_expert"
        else:
            rest = np.flatnonzero(others)
            capped = per_group[need, problem.expert_group[rest]] >= cap
            # An optimal solution leaves no expert with spare capacity outside a capped group unused.
            reason = "regional_cap" if capped.all() else "experts_at_capacity"
            assert (load[rest[~capped]] >= problem.capacity[rest[~capped]]).all(), "an empty place could be filled"
        found[need] = Unfilled(places=missing, reason=reason)
    return found


def _unmet(
    problem: AssignmentProblem, usable: BoolArray, assignments: list[list[int]], per_group: IntArray
) -> dict[int, tuple[str, ...]]:
    targets = legal_targets(problem, usable)
    floors = floor_needs(problem, usable)
    unmet: dict[int, tuple[str, ...]] = {}
    for need in np.flatnonzero((targets > 1) | floors).tolist():
        rules = []
        chosen = assignments[need]
        if targets[need] > 1:
            covered = int(np.asarray(problem.expert_legal_systems)[chosen].any(axis=0).sum()) if chosen else 0
            if covered < targets[need]:
                rules.append("legal_system_rule")
        if floors[need] and per_group[need, problem.need_group[need]] == 0:
            rules.append("own_region_floor")
        if rules:
            unmet[need] = tuple(rules)
    return unmet


def _figures(
    problem: AssignmentProblem,
    need: IntArray,
    expert: IntArray,
    load: IntArray,
    per_group: IntArray,
) -> dict[str, Any]:
    """The figures that do not depend on how the solution was found."""
    total = len(need)
    counts = per_group.sum(axis=0)
    deviation = 0.0
    # No assignment at all has no shares to deviate.
    for group, (low, high) in (problem.share_bands or {}).items() if total else ():
        share = counts[group] / total
        deviation = max(deviation, low - share, share - high)
    taken = np.bincount(need, minlength=len(problem.places))
    wanted = problem.places > 0
    over_cap = (per_group > problem.regional_cap).any(axis=1).sum() if problem.regional_cap is not None else 0
    return {
        "objective": float(problem.scores[need, expert].sum()),
        "needs_over_cap": int(over_cap),
        "load_violations": int((load > problem.capacity).sum()),
        "staffed_share": float((taken[wanted] >= problem.places[wanted]).mean()) if wanted.any() else 1.0,
        "assignments": total,
        "experts_used": int((load > 0).sum()),
        "group_counts": {name: int(counts[g]) for g, name in enumerate(problem.groups)},
        "band_deviation": float(deviation),
    }
