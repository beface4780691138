"""Assignment runs: the bridge between the registers and the global assignment (matching/assignment.py).

A run scores every need in its scope against the roster with the ranking's own engine (engine.score: the same
hard filters, conflicts, components and workload as rank_need), hands the scores to the solver, and keeps the
proposals with the versions of what they were made from. The secretariat starts a run from the workspace: the
request only queues it (django.tasks); a background worker (`manage.py db_worker`) performs it and writes its
progress on the run's row, which the run's page polls.

Places and capacity, as decided for the portal:
- a need's places are the policy's places for its priority (`places_high_priority`, `k`, `places_low_priority`),
  less the experts already on its shortlist (any status but declined), who are not proposed again;
- an expert's capacity is one need per DAYS_PER_PLACE of their stated days per year, from 1 to
  MAX_PLACES_PER_EXPERT (the roster's usual 2 to 4 missions a year), or the policy's `expert_capacity` when no days
  are stated; each current selection or deployment (not ended) takes one of them.

Pins (matching/pins.py): a run obeys the current pins of its needs. A forbidden expert is never proposed for the
need; a forced one is proposed before the solver chooses the rest, unless a rule forbids it: the expert fails one
of the need's hard filters (the same as the ranking's: not active, no consent, a declared conflict, ...), is already
on the need's shortlist, has no capacity left, or the need's places or the expert's group's cap are taken. Such a
pin is reported with its reason (PIN_OUTCOMES), never obeyed against a rule. The pins a run read are kept with it
(AssignmentRunPin), with what became of each, so that the run's inputs can be told in full.

Accepting proposals puts them on the needs' shortlists through shortlist_add (source "assignment"), all in one
transaction with one audit row for the acceptance beside each addition's own. A need whose record changed since
the run, or one of whose proposed experts' profile changed, is refused with the others (nothing is written):
the proposals were made from what was then known. An expert already on the need's shortlist (added by hand since)
is skipped and reported.
"""

import logging
import time
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from typing import IO, Any

import numpy as np
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.models import User
from audit.actions import AuditAction
from audit.services import audit_record
from matching import assignment, engine
from matching.models import (
    AssignmentPin,
    AssignmentProposal,
    AssignmentRun,
    AssignmentRunNeed,
    AssignmentRunPin,
    MatchingPolicy,
    ShortlistEntry,
)
from matching.services import (
    ROSTER_CACHE,
    engine_policy,
    matching_policy_active,
    need_vector,
    policy_parameters,
    workload_counts,
)
from matching.shortlists import SHORTLISTABLE_NEED_STATUSES, shortlist_add
from needs.models import Need
from portal.access import secretariat_only
from roster.models import Expert

logger = logging.getLogger(__name__)

# The error of a run given up for want of progress (the others name the exception's class).
STALE_ERROR = "NoProgress"
DAYS_PER_PLACE = 20
MAX_PLACES_PER_EXPERT = 4
SCOPE_STATUSES = {
    AssignmentRun.Scope.OPEN: (Need.Status.OPEN,),
    AssignmentRun.Scope.ACTIVE: (Need.Status.OPEN, Need.Status.SHORTLISTING),
}
# What the engine's codes say to the secretariat.
UNFILLED_REASONS = {
    "no_qualified_expert": gettext_lazy("No other expert passes the need's filters."),
    "regional_cap": gettext_lazy("The other qualified experts belong to regional groups already at their cap."),
    "experts_at_capacity": gettext_lazy("The other qualified experts are fully taken by other needs."),
}
UNMET_RULES = {
    "legal_system_rule": gettext_lazy("Fewer legal systems than the policy asks: other needs took the experts."),
    "own_region_floor": gettext_lazy(
        "No expert of the requesting State's group: other needs took the ones who qualified."
    ),
}
# Why a forced pin was not honoured: the engine's exclusion reasons, then the run's and the solver's own codes.
PIN_OUTCOMES = {
    "erased": gettext_lazy("The expert's record has been erased."),
    "inactive": gettext_lazy("The expert is not active on the roster."),
    "no_consent": gettext_lazy("The expert has not given consent."),
    "unavailable": gettext_lazy("The expert is not available during the need's period."),
    "modality": gettext_lazy("The expert does not work the way the need asks (remotely or on site)."),
    "language": gettext_lazy("The expert does not speak the need's working languages at the level asked."),
    "conflict": gettext_lazy("The expert has declared a conflict of interest with the requesting State."),
    "national": gettext_lazy("The expert is a national of the requesting State, whom the policy excludes."),
    "no_expertise": gettext_lazy("The expert holds none of the need's articles, nor any of their chapters."),
    "not_allowed": gettext_lazy("The expert does not qualify for the need under the policy."),
    "not_on_roster": gettext_lazy("The expert is not on the roster."),
    "already_shortlisted": gettext_lazy("The expert is already on the need's shortlist."),
    "need_full": gettext_lazy("The need's places are already taken, by its shortlist or by other forced pins."),
    "expert_at_capacity": gettext_lazy(
        "The expert has no capacity left: current selections, deployments or other forced pins take it."
    ),
    "regional_cap": gettext_lazy("Other forced pins already fill the cap of the expert's regional group."),
}
Progress = Callable[[str, int], None]


def run_parameters(policy: MatchingPolicy) -> dict[str, Any]:
    """The policy as a run used it: the ranking's parameters and the assignment's own."""
    return {
        **policy_parameters(policy),
        "places": {
            Need.Priority.HIGH: policy.places_high_priority or policy.k,
            Need.Priority.MEDIUM: policy.k,
            Need.Priority.LOW: policy.places_low_priority or policy.k,
        },
        # policy_parameters gives the level's label, for people; the filters read its number.
        "min_language_level_value": policy.min_language_level,
        "expert_capacity": policy.expert_capacity,
        "days_per_place": DAYS_PER_PLACE,
        "max_places_per_expert": MAX_PLACES_PER_EXPERT,
        "own_region_floor": policy.own_region_floor,
        "min_legal_systems": policy.min_legal_systems,
        "regional_share_bands": policy.regional_share_bands,
    }


# --- starting a run -------------------------------------------------------------------------------


@transaction.atomic
def assignment_run_start(
    *,
    by: User | None,
    policy: MatchingPolicy | None = None,
    scope: str = AssignmentRun.Scope.OPEN,
    background: bool = True,
) -> AssignmentRun:
    """Queue a run of the policy (the active one by default) over the needs in scope; with `background` a worker
    performs it once this transaction commits, otherwise the caller calls assignment_run_perform."""
    secretariat_only(by, operator_allowed=True)
    if scope not in SCOPE_STATUSES:
        raise ValidationError(_("Unknown set of needs."), code="scope")
    policy = policy or matching_policy_active()
    run = AssignmentRun.objects.create(
        policy=policy, policy_parameters=run_parameters(policy), scope=scope, created_by=by
    )
    audit_record(
        actor=by,
        action=AuditAction.ASSIGNMENT_RUN_START,
        target=run,
        details={"policy": policy.pk, "policy_version": policy.version, "scope": scope},
    )
    if background:
        transaction.on_commit(lambda: _enqueue(run.pk))
    return run


def _enqueue(run_id: int) -> None:
    # Imported here: the task module imports this one.
    from matching.tasks import assignment_run_execute

    result = assignment_run_execute.enqueue(run_id=run_id)
    AssignmentRun.objects.filter(pk=run_id).update(task_id=str(result.id)[:64])


# --- performing it --------------------------------------------------------------------------------


@dataclass
class RunInputs:
    """What the solver is given, with the database ids and versions of its rows and columns."""

    roster_version: int
    needs: list[Need]
    places: np.ndarray  # (needs,)
    expert_ids: np.ndarray  # (experts,) the columns: experts who are a candidate for at least one need
    expert_versions: np.ndarray  # (experts,)
    problem: assignment.AssignmentProblem
    shortlisted: set[tuple[int, int]] = field(default_factory=set)
    pins: list["RunPin"] = field(default_factory=list)


@dataclass(frozen=True)
class RunPin:
    """A current pin of one of the run's needs, as the solver is given it."""

    need_id: int
    expert_id: int
    kind: str
    # (need row, expert column) in the solver's problem; None when the pin is decided without it.
    at: tuple[int, int] | None
    # Decided before solving: why a forced pin cannot be honoured ("" when the solver is given it).
    outcome: str = ""


def _progress_writer(run_id: int) -> Progress:
    def write(stage: str, percent: int) -> None:
        # Outside the run's final transaction: the page polling the run must see it at once. A run given up for
        # want of progress stays failed.
        AssignmentRun.objects.filter(pk=run_id, status=AssignmentRun.Status.RUNNING).update(
            stage=stage, progress=max(0, min(percent, 100)), progressed_at=timezone.now()
        )

    return write


def _claim(run_id: int) -> bool:
    """Mark a queued run as running; False when another worker took it, or it is no longer queued."""
    now = timezone.now()
    return bool(
        AssignmentRun.objects.filter(pk=run_id, status=AssignmentRun.Status.QUEUED).update(
            status=AssignmentRun.Status.RUNNING,
            stage=AssignmentRun.Stage.ROSTER,
            progress=1,
            started_at=now,
            progressed_at=now,
        )
    )


class RunGivenUp(Exception):
    """The run was marked failed for want of progress while its worker was still at it (a worker stopped and
    resumed, or a step slower than ASSIGNMENT_RUN_STALE_MINUTES): its result is not stored, the failure stands."""


def assignment_run_perform(*, run_id: int, scores_csv: IO[str] | None = None) -> AssignmentRun:
    """Score, solve and store a queued run (in a worker, or at the command line); `scores_csv` receives the
    scores the solver was given as `need,expert,score` rows."""
    if not _claim(run_id):
        return AssignmentRun.objects.get(pk=run_id)
    run = AssignmentRun.objects.select_related("policy").get(pk=run_id)
    progress = _progress_writer(run_id)
    started = time.perf_counter()
    try:
        policy = _policy_as_run_used(run)
        inputs = run_inputs(policy=policy, scope=run.scope, progress=progress)
        if scores_csv is not None:
            _write_scores(scores_csv, inputs)
        progress(AssignmentRun.Stage.SOLVING, 60)
        result = assignment.assign(inputs.problem)
        progress(AssignmentRun.Stage.STORING, 90)
        return _run_store(run=run, inputs=inputs, result=result, seconds=time.perf_counter() - started)
    except RunGivenUp:
        logger.warning("Assignment run %s was given up for want of progress; its result is not stored", run_id)
        return AssignmentRun.objects.get(pk=run_id)
    except Exception as error:
        logger.exception("Assignment run %s failed", run_id)
        _run_failed(run=run, error=error)
        raise


def _policy_as_run_used(run: AssignmentRun) -> MatchingPolicy:
    """The policy with the parameters the run was queued with (it may have been edited since)."""
    stored = run.policy_parameters
    policy = MatchingPolicy(
        name=stored["name"],
        same_chapter_credit=stored["same_chapter_credit"],
        k=stored["k"],
        regional_cap=stored["regional_cap"],
        exclude_nationals=stored["exclude_nationals"],
        expert_capacity=stored["expert_capacity"],
        own_region_floor=stored["own_region_floor"],
        min_legal_systems=stored["min_legal_systems"],
        regional_share_bands=stored["regional_share_bands"],
        places_high_priority=stored["places"][Need.Priority.HIGH],
        places_low_priority=stored["places"][Need.Priority.LOW],
    )
    for name, value in stored["weights"].items():
        setattr(policy, f"weight_{name}", value)
    policy.min_language_level = stored["min_language_level_value"]
    return policy


def _run_failed(*, run: AssignmentRun, error: BaseException) -> None:
    # Only a run still running: one already given up for want of progress keeps that reason.
    if AssignmentRun.objects.filter(pk=run.pk, status=AssignmentRun.Status.RUNNING).update(
        status=AssignmentRun.Status.FAILED, error=type(error).__name__[:200], finished_at=timezone.now()
    ):
        audit_record(
            actor=None,
            action=AuditAction.ASSIGNMENT_RUN_FAIL,
            target=run,
            details={"error": type(error).__name__, "started_by": run.created_by_id},
        )


def assignment_runs_fail_stale(*, now: datetime | None = None) -> list[int]:
    """Mark failed every running run whose worker has written no progress for ASSIGNMENT_RUN_STALE_MINUTES: the
    worker died or was stopped, and the run would otherwise show "running" for ever. Its page then says so and
    offers to start it again. One audit row per run; the ids of the runs given up. One query when none is stale."""
    now = now or timezone.now()
    since = now - timedelta(minutes=settings.ASSIGNMENT_RUN_STALE_MINUTES)
    silent = Q(progressed_at__lt=since) | Q(progressed_at__isnull=True, started_at__lt=since)
    running = AssignmentRun.objects.filter(silent, status=AssignmentRun.Status.RUNNING)
    if not running.exists():
        return []
    given_up = []
    with transaction.atomic():
        for run in running.select_for_update().order_by("pk"):
            run.status, run.error, run.finished_at = AssignmentRun.Status.FAILED, STALE_ERROR, now
            run.save(update_fields=["status", "error", "finished_at"])
            audit_record(
                actor=None,
                action=AuditAction.ASSIGNMENT_RUN_FAIL,
                target=run,
                details={
                    "error": STALE_ERROR,
                    "last_progress": (run.progressed_at or run.started_at).isoformat(),
                    "stage": run.stage,
                    "stale_minutes": settings.ASSIGNMENT_RUN_STALE_MINUTES,
                    "started_by": run.created_by_id,
                },
            )
            given_up.append(run.pk)
    return given_up


def _places_of(need: Need, policy: MatchingPolicy) -> int:
    if need.priority == Need.Priority.HIGH:
        return policy.places_high_priority or policy.k
    if need.priority == Need.Priority.LOW:
        return policy.places_low_priority or policy.k
    return policy.k


def _capacity(*, days_per_year: np.ndarray, commitments: np.ndarray, default: int) -> np.ndarray:
    stated = np.clip(days_per_year // DAYS_PER_PLACE, 1, MAX_PLACES_PER_EXPERT)
    return np.maximum(np.where(days_per_year > 0, stated, default) - commitments, 0)


def _commitments(expert_ids: np.ndarray, today: date) -> np.ndarray:
    """Current selections and deployments (not ended) of each expert."""
    taken = (
        ShortlistEntry.objects.filter(removed_at__isnull=True)
        .filter(
            Q(status=ShortlistEntry.Status.SELECTED)
            | Q(status=ShortlistEntry.Status.DEPLOYED) & (Q(deployed_until__isnull=True) | Q(deployed_until__gte=today))
        )
        .values_list("expert_id")
        .annotate(n=Count("id"))
    )
    counts = np.zeros(len(expert_ids), dtype=np.int64)
    for expert_id, number in taken:
        at = int(np.searchsorted(expert_ids, expert_id))
        if at < len(expert_ids) and expert_ids[at] == expert_id:
            counts[at] = number
    return counts


def run_inputs(*, policy: MatchingPolicy, scope: str, progress: Progress | None = None) -> RunInputs:
    """The needs in scope scored against the roster exactly as the ranking scores them, and the solver's problem."""
    progress = progress or (lambda _stage, _percent: None)
    today = timezone.localdate()
    # The experts' versions are read before the roster: a change in between makes a version older than the arrays,
    # which only makes accepting the proposal refuse, never accept a change unseen.
    versions, days = {}, {}
    for expert_id, version, days_per_year in Expert.objects.values_list("pk", "version", "days_per_year"):
        versions[expert_id], days[expert_id] = version, days_per_year
    roster_version, roster = ROSTER_CACHE.current()
    rules = engine_policy(policy)
    needs = list(
        Need.objects.filter(status__in=SCOPE_STATUSES[scope])
        .select_related("requesting_state")
        .prefetch_related("articles", "working_languages")
        .order_by("pk")
    )
    current = list(
        ShortlistEntry.objects.filter(need__in=[need.pk for need in needs], removed_at__isnull=True).values_list(
            "need_id", "expert_id", "status"
        )
    )
    shortlisted = {(need_id, expert_id) for need_id, expert_id, _status in current}
    holding = {}
    for need_id, _expert_id, status in current:
        if status != ShortlistEntry.Status.DECLINED:
            holding[need_id] = holding.get(need_id, 0) + 1
    places = np.array([max(_places_of(need, policy) - holding.get(need.pk, 0), 0) for need in needs], dtype=np.int64)

    progress(AssignmentRun.Stage.SCORING, 5)
    scored_rows: list[np.ndarray] = []
    scored_values: list[np.ndarray] = []
    step = max(1, len(needs) // 20)
    for position, need in enumerate(needs):
        if places[position] == 0:
            scored_rows.append(np.zeros(0, dtype=np.int64))
            scored_values.append(np.zeros(0))
        else:
            vector = need_vector(need=need, roster=roster, policy=policy, today=today)
            # The ranking's own workload, one query per need: the same numbers rank_need would use.
            workload = workload_counts(roster=roster, policy=policy, besides=need)
            scored = engine.score(roster, vector, rules, workload)
            scored_rows.append(scored.rows)
            scored_values.append(scored.scores)
        if position % step == 0:
            progress(AssignmentRun.Stage.SCORING, 5 + 50 * position // max(len(needs), 1))

    columns = np.unique(np.concatenate(scored_rows)) if scored_rows else np.zeros(0, dtype=np.int64)
    expert_ids = roster.expert_ids[columns]
    scores = np.zeros((len(needs), len(columns)))
    for position, (rows, values) in enumerate(zip(scored_rows, scored_values, strict=True)):
        scores[position, np.searchsorted(columns, rows)] = values
    # An expert already on a need's shortlist is not proposed for it again.
    column_of = {int(expert_id): at for at, expert_id in enumerate(expert_ids.tolist())}
    need_at = {need.pk: at for at, need in enumerate(needs)}
    for need_id, expert_id in shortlisted:
        if expert_id in column_of:
            scores[need_at[need_id], column_of[expert_id]] = 0.0
    pins = _run_pins(
        needs=needs,
        places=places,
        scores=scores,
        column_of=column_of,
        shortlisted=shortlisted,
        why_not=lambda need, expert_id: _exclusion(need=need, expert_id=expert_id, roster=roster, policy=policy),
    )

    problem = _problem(
        policy=policy,
        roster=roster,
        needs=needs,
        columns=columns,
        scores=scores,
        places=places,
        capacity=_capacity(
            days_per_year=np.array([days.get(int(e), 0) for e in expert_ids], dtype=np.int64),
            commitments=_commitments(expert_ids, today),
            default=policy.expert_capacity,
        ),
        pins=pins,
    )
    return RunInputs(
        roster_version=roster_version,
        needs=needs,
        places=places,
        expert_ids=expert_ids,
        expert_versions=np.array([versions.get(int(e), 0) for e in expert_ids], dtype=np.int64),
        problem=problem,
        shortlisted=shortlisted,
        pins=pins,
    )


def _run_pins(
    *,
    needs: Sequence[Need],
    places: np.ndarray,
    scores: np.ndarray,
    column_of: dict[int, int],
    shortlisted: set[tuple[int, int]],
    why_not: Callable[[Need, int], str],
) -> list[RunPin]:
    """The current pins of the needs, each placed in the solver's problem or decided with the reason it cannot be."""
    need_at = {need.pk: at for at, need in enumerate(needs)}
    current = (
        AssignmentPin.objects.filter(need__in=list(need_at), removed_at__isnull=True)
        .order_by("need_id", "expert_id")
        .values_list("need_id", "expert_id", "kind")
    )
    pins = []
    for need_id, expert_id, kind in current:
        row, column = need_at[need_id], column_of.get(expert_id)
        outcome = ""
        if kind == AssignmentPin.Kind.FORCE:
            if (need_id, expert_id) in shortlisted:
                outcome = "already_shortlisted"
            elif places[row] == 0:
                outcome = "need_full"
            elif column is None or scores[row, column] <= 0:
                outcome = why_not(needs[row], expert_id)
        # A forbidden expert who is no candidate of any need has nothing to forbid in the problem.
        at = (row, column) if column is not None and not outcome else None
        pins.append(RunPin(need_id=need_id, expert_id=expert_id, kind=kind, at=at, outcome=outcome))
    return pins


def _exclusion(*, need: Need, expert_id: int, roster: engine.RosterMatrix, policy: MatchingPolicy) -> str:
    """Why the ranking leaves the expert out of the need's candidates (the first hard filter that fails)."""
    row = int(np.searchsorted(roster.expert_ids, expert_id))
    if row >= len(roster.expert_ids) or roster.expert_ids[row] != expert_id:
        return "not_on_roster"
    vector = need_vector(need=need, roster=roster, policy=policy, today=timezone.localdate())
    return engine.exclusion_reason(roster, vector, engine_policy(policy), row) or "not_allowed"


def _problem(
    *,
    policy: MatchingPolicy,
    roster: engine.RosterMatrix,
    needs: Sequence[Need],
    columns: np.ndarray,
    scores: np.ndarray,
    places: np.ndarray,
    capacity: np.ndarray,
    pins: Sequence[RunPin] = (),
) -> assignment.AssignmentProblem:
    country_at = {code: at for at, code in enumerate(roster.country_codes)}
    need_group = np.array(
        [int(roster.country_group[country_at[need.requesting_state_id]]) for need in needs], dtype=np.int64
    )
    # The States outside the UN groups are a bucket for balance, not a region whose floor applies.
    need_group[need_group == engine.NO_GROUP] = -1
    legal = roster.legal_systems[columns].astype(np.int64)
    systems = len(roster.legal_system_codes)
    bands = {
        engine.REGIONAL_GROUPS.index(group): (float(low), float(high))
        for group, (low, high) in (policy.regional_share_bands or {}).items()
    }
    return assignment.AssignmentProblem(
        scores=scores,
        places=places,
        capacity=capacity.astype(np.int64),
        expert_group=roster.regional_group[columns].astype(np.int64),
        need_group=need_group,
        groups=engine.REGIONAL_GROUPS,
        regional_cap=policy.regional_cap,
        own_region_floor=policy.own_region_floor,
        share_bands=bands or None,
        expert_legal_systems=((legal[:, None] >> np.arange(systems)[None, :]) & 1).astype(bool),
        min_legal_systems=policy.min_legal_systems,
        forced=frozenset(pin.at for pin in pins if pin.at and pin.kind == AssignmentPin.Kind.FORCE),
        forbidden=frozenset(pin.at for pin in pins if pin.at and pin.kind == AssignmentPin.Kind.FORBID),
    )


def _write_scores(out: IO[str], inputs: RunInputs) -> None:
    """`need,expert,score` rows, no header, as openreview-matcher reads a scores file: every allowed pair."""
    rows, cols = np.nonzero(inputs.problem.scores)
    for row, col in zip(rows.tolist(), cols.tolist(), strict=True):
        score = inputs.problem.scores[row, col]
        out.write(f"{inputs.needs[row].pk},{int(inputs.expert_ids[col])},{score:.6f}\n")


def _figures(result: assignment.AssignmentResult, *, seconds: float, inputs: RunInputs) -> dict[str, Any]:
    figures = result.figures
    return {
        "objective": round(figures.objective, 6),
        "unconstrained_objective": round(figures.unconstrained_objective, 6),
        "objective_share": round(figures.objective_share, 6),
        "seconds": round(figures.seconds, 4),
        "total_seconds": round(seconds, 4),
        "needs_over_cap": figures.needs_over_cap,
        "load_violations": figures.load_violations,
        "staffed_share": round(figures.staffed_share, 6),
        "solver": figures.solver,
        "needs": len(inputs.needs),
        "places": int(inputs.places.sum()),
        "assignments": figures.assignments,
        "experts_considered": len(inputs.expert_ids),
        "experts_used": figures.experts_used,
        "group_counts": figures.group_counts,
        "band_deviation": round(figures.band_deviation, 6),
        "pins_forced": sum(pin.kind == AssignmentPin.Kind.FORCE for pin in inputs.pins),
        "pins_forbidden": sum(pin.kind == AssignmentPin.Kind.FORBID for pin in inputs.pins),
        "pins_not_honoured": len(_pin_outcomes(inputs, result)),
    }


def _pin_outcomes(inputs: RunInputs, result: assignment.AssignmentResult) -> dict[tuple[int, int], str]:
    """(need id, expert id) -> reason, for each forced pin the run could not honour."""
    outcomes = {}
    for pin in inputs.pins:
        outcome = pin.outcome or (result.rejected_pins.get(pin.at, "") if pin.at else "")
        if outcome:
            outcomes[(pin.need_id, pin.expert_id)] = outcome
    return outcomes


@transaction.atomic
def _run_store(
    *, run: AssignmentRun, inputs: RunInputs, result: assignment.AssignmentResult, seconds: float
) -> AssignmentRun:
    if not AssignmentRun.objects.select_for_update().filter(pk=run.pk, status=AssignmentRun.Status.RUNNING).exists():
        raise RunGivenUp
    run_needs = AssignmentRunNeed.objects.bulk_create(
        [
            AssignmentRunNeed(
                run=run,
                need=need,
                need_version=need.version,
                places=int(inputs.places[at]),
                filled=len(result.assignments[at]),
                unfilled_reason=result.unfilled[at].reason if at in result.unfilled else "",
                unmet_rules=list(result.unmet_rules.get(at, ())),
            )
            for at, need in enumerate(inputs.needs)
        ]
    )
    groups = inputs.problem.expert_group
    honoured = inputs.problem.forced - set(result.rejected_pins)
    AssignmentProposal.objects.bulk_create(
        [
            AssignmentProposal(
                run_need=run_need,
                expert_id=int(inputs.expert_ids[column]),
                expert_version=int(inputs.expert_versions[column]),
                rank=rank,
                score=round(float(inputs.problem.scores[at, column]), engine.SCORE_DECIMALS),
                regional_group=engine.REGIONAL_GROUPS[int(groups[column])],
                pinned=(at, column) in honoured,
            )
            for at, run_need in enumerate(run_needs)
            for rank, column in enumerate(result.assignments[at], start=1)
        ],
        batch_size=2000,
    )
    outcomes = _pin_outcomes(inputs, result)
    AssignmentRunPin.objects.bulk_create(
        [
            AssignmentRunPin(
                run=run,
                need_id=pin.need_id,
                expert_id=pin.expert_id,
                kind=pin.kind,
                outcome=outcomes.get((pin.need_id, pin.expert_id), ""),
            )
            for pin in inputs.pins
        ],
        batch_size=2000,
    )
    run.status = AssignmentRun.Status.FINISHED
    run.stage = AssignmentRun.Stage.DONE
    run.progress = 100
    run.roster_version = inputs.roster_version
    run.figures = _figures(result, seconds=seconds, inputs=inputs)
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "stage", "progress", "roster_version", "figures", "finished_at"])
    audit_record(
        actor=None,
        action=AuditAction.ASSIGNMENT_RUN_FINISH,
        target=run,
        details={
            "started_by": run.created_by_id,
            "roster_version": inputs.roster_version,
            "needs": len(inputs.needs),
            "assignments": run.figures["assignments"],
            "staffed_share": run.figures["staffed_share"],
            "pins_not_honoured": run.figures["pins_not_honoured"],
        },
    )
    return run


# --- accepting its proposals -------------------------------------------------------------------------


@dataclass(frozen=True)
class Acceptance:
    needs: list[int]  # the needs whose proposals were accepted now
    added: int
    skipped: list[tuple[int, int]]  # (need, expert) already on the need's shortlist


def _changed_since(run_needs: Iterable[AssignmentRunNeed]) -> list[int]:
    """The needs whose record, or one of whose proposed experts' profiles, changed since the run."""
    changed = []
    for run_need in run_needs:
        need = run_need.need
        stale_need = need.version != run_need.need_version or need.status not in SHORTLISTABLE_NEED_STATUSES
        stale_expert = any(p.expert.version != p.expert_version for p in run_need.proposals.all())
        if stale_need or stale_expert:
            changed.append(need.pk)
    return changed


@transaction.atomic
def assignment_run_accept(*, by: User | None, run: AssignmentRun, needs: Sequence[int] | None = None) -> Acceptance:
    """Put the run's proposals for these needs (every need not yet accepted, when None) on their shortlists."""
    secretariat_only(by, operator_allowed=True)
    run = AssignmentRun.objects.select_for_update().get(pk=run.pk)
    if run.status != AssignmentRun.Status.FINISHED:
        raise ValidationError(_("Only a finished run's proposals can be accepted."), code="not_finished")
    chosen = run.run_needs.filter(accepted_at__isnull=True)
    if needs is not None:
        chosen = chosen.filter(need_id__in=list(needs))
    run_needs = list(
        chosen.select_for_update(of=("self",))
        .select_related("need")
        .prefetch_related("proposals__expert")
        .order_by("need_id")
    )
    run_needs = [run_need for run_need in run_needs if run_need.proposals.all()]
    if not run_needs:
        raise ValidationError(_("There is nothing left to accept for these needs."), code="nothing")
    changed = _changed_since(run_needs)
    if changed:
        raise ValidationError(
            _(
                "Nothing was accepted: these needs, or experts proposed for them, changed after the run: %(needs)s. "
                "Start a new run for them, or accept the other needs."
            )
            % {"needs": ", ".join(f"#{pk}" for pk in changed)},
            code="changed",
        )
    current = set(
        ShortlistEntry.objects.filter(
            need__in=[run_need.need_id for run_need in run_needs], removed_at__isnull=True
        ).values_list("need_id", "expert_id")
    )
    added, skipped = 0, []
    now = timezone.now()
    for run_need in run_needs:
        for proposal in run_need.proposals.all():
            if (run_need.need_id, proposal.expert_id) in current:
                skipped.append((run_need.need_id, proposal.expert_id))
                continue
            shortlist_add(by=by, need=run_need.need, expert=proposal.expert, source=ShortlistEntry.Source.ASSIGNMENT)
            added += 1
        run_need.accepted_at, run_need.accepted_by = now, by
    AssignmentRunNeed.objects.bulk_update(run_needs, ["accepted_at", "accepted_by"])
    accepted = [run_need.need_id for run_need in run_needs]
    audit_record(
        actor=by,
        action=AuditAction.ASSIGNMENT_RUN_ACCEPT,
        target=run,
        details={"needs": accepted, "added": added, "skipped": [list(pair) for pair in skipped]},
    )
    return Acceptance(needs=accepted, added=added, skipped=skipped)
