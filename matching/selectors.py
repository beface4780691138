"""Reads of rankings and assignment runs. Only the secretariat sees them: they name people across every State."""

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from accounts.models import User
from matching import engine
from matching.models import (
    AssignmentProposal,
    AssignmentRun,
    AssignmentRunNeed,
    AssignmentRunPin,
    RankingSnapshot,
)
from needs.models import Need
from portal.access import secretariat_only

REPORTED_DECIMALS = 4


def ranking_list(*, user: User | None, need: Need) -> QuerySet[RankingSnapshot]:
    """The need's rankings, newest first; `user` None is an operator at the command line."""
    secretariat_only(user, operator_allowed=True)
    return RankingSnapshot.objects.filter(need=need).select_related("policy", "created_by")


def ranking_as_dict(*, snapshot: RankingSnapshot) -> dict[str, Any]:
    """The ranking in the shape `rank_need --json` prints."""
    return {
        "need": snapshot.need_id,
        "policy": snapshot.policy_parameters,
        "candidates": [
            {
                "expert": candidate.expert_id,
                "rank": candidate.rank,
                "score": round(candidate.score, REPORTED_DECIMALS),
                "components": {
                    name: round(candidate.components[name], REPORTED_DECIMALS) for name in engine.COMPONENTS
                },
                "covered_articles": candidate.covered_articles,
                "missing_articles": candidate.missing_articles,
                "regional_group": candidate.regional_group,
                "legal_system": candidate.legal_systems,
            }
            for candidate in snapshot.candidates_ranked.order_by("rank")
        ],
        "excluded": snapshot.excluded,
    }


# --- assignment runs ---------------------------------------------------------------------------------


def assignment_run_list(*, user: User | None) -> QuerySet[AssignmentRun]:
    """Every run, newest first."""
    secretariat_only(user, operator_allowed=True)
    return AssignmentRun.objects.select_related("policy", "created_by").order_by("-created_at", "-id")


def assignment_run_get(*, user: User | None, pk: int) -> AssignmentRun:
    return get_object_or_404(assignment_run_list(user=user), pk=pk)


def assignment_run_needs(*, run: AssignmentRun) -> QuerySet[AssignmentRunNeed]:
    """The run's needs with their requesting States and proposals (and the proposed experts), in need order: a
    fixed number of queries for a page of any length."""
    proposals = AssignmentProposal.objects.select_related("expert", "expert__nationality").order_by("rank")
    return (
        run.run_needs.select_related("need", "need__requesting_state", "accepted_by")
        .prefetch_related(Prefetch("proposals", queryset=proposals))
        .order_by("need_id")
    )


def assignment_run_pins(*, run: AssignmentRun) -> list[AssignmentRunPin]:
    """The pins the run read, with their needs and experts, in need and expert order (one query)."""
    return list(run.run_pins.select_related("need", "expert", "expert__nationality").order_by("need_id", "expert_id"))


def assignment_run_as_dict(*, run: AssignmentRun) -> dict[str, Any]:
    """The run in the shape `assign --json` prints (need ids as strings, the keys of a JSON object)."""
    run_needs = run.run_needs.prefetch_related(
        Prefetch("proposals", queryset=AssignmentProposal.objects.order_by("rank"))
    ).order_by("need_id")
    assignments: dict[str, list[int]] = {}
    unfilled: dict[str, dict[str, Any]] = {}
    for run_need in run_needs:
        assignments[str(run_need.need_id)] = [proposal.expert_id for proposal in run_need.proposals.all()]
        if run_need.unfilled:
            unfilled[str(run_need.need_id)] = {"places": run_need.unfilled, "reason": run_need.unfilled_reason}
    figures = run.figures
    return {
        "run": run.pk,
        "assignments": assignments,
        "unfilled": unfilled,
        "figures": {
            name: figures.get(name)
            for name in ("objective", "seconds", "needs_over_cap", "load_violations", "staffed_share")
        },
        # The secretariat's pins the run obeyed; "outcome" is "" when honoured, else why a forced pin was not.
        "pins": [
            {"need": pin.need_id, "expert": pin.expert_id, "kind": pin.kind, "outcome": pin.outcome}
            for pin in run.run_pins.order_by("need_id", "expert_id")
        ],
    }
