"""The assignment as a mixed-integer programme (SciPy's HiGHS), for the rules a flow cannot express.

One binary x per candidate pair (the pairs matching.assignment kept after pruning; forced pins are already fixed
and only count towards the rules). Constraints, as in the flow: a need's places, an expert's capacity, the regional
cap per (need, group). And the two rules, each with a shortage variable so that a rule other needs make impossible
is reported rather than making the whole problem infeasible:
- legal systems: y[need, system] <= the sum of x over the need's candidates of that system, y <= 1, and
  sum of y + shortage >= the need's target less the systems its pins already cover;
- own-region floor: the sum of x over the need's candidates of the requester's group + shortage >= 1.

Solved in lexicographic phases, each keeping the optimum of the one before by a constraint on its few variables
(a single weighted objective would need weights too far apart for floating point):
A. minimise (places + 1) x shortages - assignments: the rules first, then as many places as possible;
B. (with bands) minimise the band deviation - ((sum of minimum shares + 1) x places + groups + 1) x assignments,
   the bands taken at A's number of assignments;
C. maximise the sum of scores (in thousandths) + 1,000 x (places + 1) x assignments.
"""

import math

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_array

from matching.assignment import (
    AssignmentProblem,
    BoolArray,
    CandidatePairs,
    FloatArray,
    IntArray,
    Residual,
    allowed_pairs,
    band_bounds,
    floor_needs,
    legal_targets,
)

# Scores enter the objective in thousandths, so that a difference of 10^-6 in a score stays above HiGHS's absolute
# gap (10^-6) while coefficients stay small.
SCORE_UNITS = 1000.0
# A gap of zero: the phases rely on each optimum being exact.
OPTIONS = {"mip_rel_gap": 0.0, "presolve": True}


class _Model:
    """Variables and sparse constraint rows, collected then handed to HiGHS at once. The first `pairs` variables
    are the binary x; rule shortages and band deviations follow, continuous."""

    def __init__(self, pairs: int) -> None:
        self.pairs = pairs
        self.upper: list[float] = [1.0] * pairs
        self.shortages: list[int] = []
        self.row: list[IntArray] = []
        self.column: list[IntArray] = []
        self.value: list[FloatArray] = []
        self.lower_bound: list[float] = []
        self.upper_bound: list[float] = []

    def variable(self, upper: float = np.inf) -> int:
        self.upper.append(upper)
        return len(self.upper) - 1

    def shortage(self) -> int:
        column = self.variable()
        self.shortages.append(column)
        return column

    def add(self, columns: IntArray | list[int], values: FloatArray | float, lower: float, upper: float) -> None:
        """lower <= sum(values * columns) <= upper; a single value applies to every column."""
        columns = np.asarray(columns, dtype=np.int64)
        self.row.append(np.full(len(columns), len(self.lower_bound), dtype=np.int64))
        self.column.append(columns)
        self.value.append(np.broadcast_to(np.asarray(values, dtype=np.float64), columns.shape))
        self.lower_bound.append(lower)
        self.upper_bound.append(upper)

    def at_most(self, keys: IntArray, upper: IntArray) -> None:
        """One row per distinct key: the sum of the x with that key <= upper[key]."""
        distinct, inverse = np.unique(keys, return_inverse=True)
        self.row.append(len(self.lower_bound) + inverse.astype(np.int64))
        self.column.append(np.arange(self.pairs, dtype=np.int64))
        self.value.append(np.ones(self.pairs))
        self.lower_bound += [-np.inf] * len(distinct)
        self.upper_bound += np.asarray(upper, dtype=np.float64)[distinct].tolist()

    def solve(self, cost: FloatArray) -> FloatArray:
        variables = len(self.upper)
        matrix = coo_array(
            (np.concatenate(self.value), (np.concatenate(self.row), np.concatenate(self.column))),
            shape=(len(self.lower_bound), variables),
        ).tocsr()
        integrality = np.zeros(variables)
        integrality[: self.pairs] = 1
        result = milp(
            np.pad(cost, (0, variables - len(cost))),
            constraints=LinearConstraint(matrix, np.array(self.lower_bound), np.array(self.upper_bound)),
            integrality=integrality,
            bounds=Bounds(np.zeros(variables), np.array(self.upper)),
            options=OPTIONS,
        )
        if result.x is None:
            raise RuntimeError(f"MILP failed: {result.message}")
        return result.x


def solve_milp(problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual) -> BoolArray:
    """Which candidate pairs are assigned (same contract as the flow solver)."""
    groups = len(problem.groups)
    p = len(pairs)
    if p == 0:
        return np.zeros(0, dtype=bool)
    pair_group = problem.expert_group[pairs.expert].astype(np.int64)
    model = _Model(p)
    model.at_most(pairs.need, residual.places)
    model.at_most(pairs.expert, residual.capacity)
    model.at_most(pairs.need * groups + pair_group, residual.cap_room.ravel())
    usable = allowed_pairs(problem) & (problem.capacity > 0)[None, :]
    _legal_rows(problem, pairs, residual, usable, model)
    _floor_rows(problem, pairs, residual, usable, model)

    # Each phase keeps the one before through a sparse row on its own few variables: a dense row "as many
    # assignments as before" over every x made HiGHS's LP up to twenty times slower (benchmarks/bench_assignment.py).
    # The number of assignments is kept by weight instead: it outweighs everything each later phase minimises.
    places = float(residual.places.sum())
    # A: the rules first (one shortage outweighs every place), then as many places as possible.
    cost = np.zeros(len(model.upper))
    cost[:p] = -1.0
    cost[model.shortages] = places + 1
    first = model.solve(cost)
    # Shortages are whole at an optimum (each y is 0 or 1 there): half a unit of slack absorbs the solver's noise.
    model.add(model.shortages, 1.0, -np.inf, round(float(first[model.shortages].sum())) + 0.5)
    if problem.share_bands:
        # B: the bands. The deviation (in assignments) is at most (the bands' minimum shares + 1) x assignments + one
        # per group (rounding), so an assignment weighing more keeps the count of A (minimum shares may add up to
        # more than 1).
        total = round(float(first[:p].sum())) + len(residual.forced)
        deviations = _band_rows(problem, pairs, residual, model, total)
        lows = sum(low for low, _high in (problem.share_bands or {}).values())
        cost = np.zeros(len(model.upper))
        cost[:p] = -(math.ceil((lows + 1) * (places + len(residual.forced))) + len(problem.groups) + 1)
        cost[deviations] = 1.0
        second = model.solve(cost)
        model.add(deviations, 1.0, -np.inf, round(float(second[deviations].sum())) + 0.5)
    # C: the scores, in thousandths (at most 1,000 x places in all, hence the weight of an assignment).
    units = np.rint(problem.scores[pairs.need, pairs.expert] * 10**6) / 10**6 * SCORE_UNITS
    cost = np.zeros(len(model.upper))
    cost[:p] = -(SCORE_UNITS * (places + 1) + units)
    return model.solve(cost)[:p] > 0.5


def _band_rows(
    problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual, model: _Model, total: int
) -> list[int]:
    """Per banded group, under and over (>= 0): count + under >= low, count - over <= high. Returns their columns."""
    pair_group = problem.expert_group[pairs.expert]
    forced = np.bincount(
        np.array([problem.expert_group[e] for _n, e in residual.forced], dtype=np.int64),
        minlength=len(problem.groups),
    )
    columns = []
    for group, (low, high) in band_bounds(problem, total).items():
        members = np.flatnonzero(pair_group == group)
        under, over = model.variable(), model.variable()
        ones = np.ones(len(members))
        model.add(np.append(members, under), np.append(ones, 1.0), low - forced[group], np.inf)
        model.add(np.append(members, over), np.append(ones, -1.0), -np.inf, high - forced[group])
        columns += [under, over]
    return columns


def _of_need(pairs: CandidatePairs, need: int) -> IntArray:
    # Pairs come sorted by need (matching.assignment._unique_pairs): a need's pairs are one slice.
    return np.arange(np.searchsorted(pairs.need, need), np.searchsorted(pairs.need, need, side="right"))


def _legal_rows(
    problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual, usable: BoolArray, model: _Model
) -> None:
    """Per need under the legal-system rule: y[system] <= the sum of x over its candidates of that system, y <= 1,
    and the sum of y + shortage >= the target less the systems the need's pins already cover."""
    if not problem.legal_rule:
        return
    targets = legal_targets(problem, usable)
    systems = np.asarray(problem.expert_legal_systems, dtype=bool)
    covered = np.zeros((len(targets), systems.shape[1]), dtype=bool)
    for need, expert in residual.forced:
        covered[need] |= systems[expert]
    for need in np.flatnonzero(targets > 1).tolist():
        wanted = int(targets[need]) - int(covered[need].sum())
        if wanted <= 0:
            continue
        own = _of_need(pairs, need)
        ys = []
        for system in np.flatnonzero(~covered[need]).tolist():
            members = own[systems[pairs.expert[own], system]]
            if len(members):
                ys.append(model.variable(upper=1.0))
                model.add(np.append(members, ys[-1]), np.append(-np.ones(len(members)), 1.0), -np.inf, 0.0)
        model.add([*ys, model.shortage()], 1.0, wanted, np.inf)


def _floor_rows(
    problem: AssignmentProblem, pairs: CandidatePairs, residual: Residual, usable: BoolArray, model: _Model
) -> None:
    """Per need under the own-region floor, unless a pin already meets it: the sum of x over its candidates of the
    requester's group + shortage >= 1."""
    floors = floor_needs(problem, usable)
    for need, expert in residual.forced:
        if problem.expert_group[expert] == problem.need_group[need]:
            floors[need] = False
    own = problem.expert_group[pairs.expert] == problem.need_group[pairs.need]
    for need in np.flatnonzero(floors).tolist():
        at = _of_need(pairs, need)
        model.add([*at[own[at]].tolist(), model.shortage()], 1.0, 1.0, np.inf)
