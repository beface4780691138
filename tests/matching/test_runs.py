"""Assignment runs through the database: the ranking's own scores handed to the solver, runs kept with their
inputs' versions and figures, proposals accepted into shortlists in one audited transaction, the background task
and the `assign` command."""

import io
import json
from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.tasks import TaskResultStatus
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from audit.models import AuditEvent
from matching import services
from matching.models import AssignmentProposal, AssignmentRun, ShortlistEntry
from matching.runs import (
    STALE_ERROR,
    assignment_run_accept,
    assignment_run_perform,
    assignment_run_start,
    assignment_runs_fail_stale,
)
from matching.tasks import assignment_run_execute
from roster.models import Expert
from tests.factories import NeedFactory, ShortlistEntryFactory
from tests.matching.test_services import expert

pytestmark = pytest.mark.django_db


def _run(by=None, **options) -> AssignmentRun:
    run = assignment_run_start(by=by, background=False, **options)
    return assignment_run_perform(run_id=run.pk)


def _proposed(run: AssignmentRun) -> dict[int, list[int]]:
    return {
        run_need.need_id: [proposal.expert_id for proposal in run_need.proposals.order_by("rank")]
        for run_need in run.run_needs.all()
    }


def test_a_run_gives_each_expert_no_more_needs_than_her_capacity_at_the_best_total_score(cast, policy, contested):
    run = _run(by=cast.secretariat)
    assert run.status == AssignmentRun.Status.FINISHED and run.progress == 100
    assert _proposed(run) == {
        contested["both"].pk: [contested["strong"].pk],
        contested["one"].pk: [contested["second"].pk],
    }
    assert run.figures["load_violations"] == 0 and run.figures["needs_over_cap"] == 0
    assert run.figures["staffed_share"] == 1.0 and run.figures["assignments"] == 2
    assert run.figures["objective"] <= run.figures["unconstrained_objective"]


def test_a_run_keeps_its_policy_inputs_versions_and_audit_rows(cast, policy, contested):
    run = _run(by=cast.secretariat)
    assert run.policy == policy and run.policy_parameters["k"] == 1
    assert run.policy_parameters["places"] == {"high": 1, "medium": 1, "low": 1}
    assert run.roster_version == services.roster_version_current()
    need_versions = dict(run.run_needs.values_list("need_id", "need_version"))
    assert need_versions == {contested["both"].pk: 1, contested["one"].pk: 1}
    assert set(AssignmentProposal.objects.filter(run_need__run=run).values_list("expert_id", "expert_version")) == {
        (contested["strong"].pk, contested["strong"].version),
        (contested["second"].pk, contested["second"].version),
    }
    started = AuditEvent.objects.get(action="assignment_run.start")
    assert started.actor == cast.secretariat and started.details["policy"] == policy.pk
    finished = AuditEvent.objects.get(action="assignment_run.finish")
    assert finished.target_id == str(run.pk) and finished.details["started_by"] == cast.secretariat.pk


def test_the_run_scores_each_pair_exactly_as_the_ranking_does(policy, contested):
    out = io.StringIO()
    run = assignment_run_start(by=None, background=False)
    assignment_run_perform(run_id=run.pk, scores_csv=out)
    exported = {(int(n), int(e)): float(s) for n, e, s in (line.split(",") for line in out.getvalue().splitlines())}
    for need in (contested["both"], contested["one"]):
        ranked = services.rank_need(need=need, top=10).candidates_ranked.all()
        assert {(need.pk, c.expert_id): c.score for c in ranked} == {
            pair: score for pair, score in exported.items() if pair[0] == need.pk
        }


def test_a_need_that_cannot_be_fully_staffed_gets_what_is_possible_with_the_reason(policy, contested):
    policy.k, policy.regional_cap = 3, 3
    policy.save()
    Expert.objects.update(days_per_year=80)  # time for four needs each
    run = _run()
    assert {(n.need_id, n.places, n.filled, n.unfilled_reason) for n in run.run_needs.all()} == {
        (contested["both"].pk, 3, 2, "no_qualified_expert"),
        (contested["one"].pk, 3, 2, "no_qualified_expert"),
    }
    assert run.figures["staffed_share"] == 0.0


def test_high_priority_needs_get_the_policys_places_for_them(policy, contested):
    policy.places_high_priority = 2
    policy.save()
    contested["one"].priority = "high"
    contested["one"].save()
    run = _run()
    assert dict(run.run_needs.values_list("need_id", "places")) == {contested["both"].pk: 1, contested["one"].pk: 2}


def test_experts_already_on_a_shortlist_take_its_places_and_are_not_proposed_again(policy, contested):
    policy.k, policy.regional_cap = 2, 2
    policy.save()
    ShortlistEntryFactory(need=contested["one"], expert=contested["second"])
    run = _run()
    one = run.run_needs.get(need=contested["one"])
    assert one.places == 1 and contested["second"].pk not in _proposed(run)[contested["one"].pk]


def test_a_selected_expert_has_one_need_less_to_give(policy, contested):
    other = NeedFactory(articles=[5], status="shortlisting")
    ShortlistEntryFactory(need=other, expert=contested["strong"], status="selected")
    run = _run()
    assert contested["strong"].pk not in [e for experts in _proposed(run).values() for e in experts]


@pytest.mark.parametrize(
    "rule, value",
    [("min_legal_systems", 2), ("own_region_floor", True), ("regional_share_bands", {"WEOG": [0, 0.5]})],
)
def test_the_policys_balance_rules_reach_the_solver(policy, rule, value):
    """Two French experts (civil law, WEOG) score best for a Kenyan need; the rule brings in the weaker expert
    from Nigeria (AFR, common law) instead of the second French one."""
    policy.k, policy.regional_cap = 2, 2
    policy.save()
    need = NeedFactory(articles=[46, 48])
    french = [expert(nationality="FRA", articles={46: 3, 48: 3}, days_per_year=80) for _ in range(2)]
    nigerian = expert(nationality="NGA", articles={46: 3}, days_per_year=80)
    assert _proposed(_run()) == {need.pk: [french[0].pk, french[1].pk]}
    setattr(policy, rule, value)
    policy.save()
    ((first, second),) = _proposed(_run()).values()
    # The two French experts tie; which of them the solver keeps is its own choice.
    assert first in {french[0].pk, french[1].pk} and second == nigerian.pk


@pytest.mark.parametrize(
    "bands", [{"XYZ": [0, 1]}, {"AFR": [0.5, 0.2]}, {"AFR": [0, 2]}, {"AFR": 0.3}, {"": [0, 1]}, ["AFR"]]
)
def test_share_bands_name_known_groups_with_ordered_shares(policy, bands):
    policy.regional_share_bands = bands
    with pytest.raises(ValidationError) as refused:
        services.matching_policy_check(policy=policy)
    assert "regional_share_bands" in refused.value.message_dict


def test_only_the_secretariat_starts_or_accepts_a_run(cast, policy, contested):
    with pytest.raises(PermissionDenied):
        assignment_run_start(by=cast.owner)
    run = _run()
    with pytest.raises(PermissionDenied):
        assignment_run_accept(by=cast.owner, run=run)
    assert not ShortlistEntry.objects.exists()


# --- accepting proposals ---------------------------------------------------------------------------


def test_accepting_one_need_puts_its_proposals_on_its_shortlist_audited(cast, policy, contested):
    run = _run(by=cast.secretariat)
    accepted = assignment_run_accept(by=cast.secretariat, run=run, needs=[contested["one"].pk])
    assert (accepted.needs, accepted.added, accepted.skipped) == ([contested["one"].pk], 1, [])
    entry = ShortlistEntry.objects.get()
    assert (entry.need, entry.expert, entry.source) == (contested["one"], contested["second"], "assignment")
    assert AuditEvent.objects.filter(action="shortlist.add").count() == 1
    event = AuditEvent.objects.get(action="assignment_run.accept")
    assert event.actor == cast.secretariat and event.details == {
        "needs": [contested["one"].pk],
        "added": 1,
        "skipped": [],
    }
    one = run.run_needs.get(need=contested["one"])
    assert one.accepted_by == cast.secretariat and one.accepted_at is not None
    # The other need is still to be accepted; this one is done.
    rest = assignment_run_accept(by=cast.secretariat, run=run)
    assert rest.needs == [contested["both"].pk]
    with pytest.raises(ValidationError, match="nothing left"):
        assignment_run_accept(by=cast.secretariat, run=run)


def test_accepting_all_is_one_transaction(cast, policy, contested):
    run = _run()
    # The second need's expert withdrew without her profile's version changing (as a bulk change might do):
    # shortlist_add refuses her, and the first need's addition goes back too.
    Expert.objects.filter(pk=contested["strong"].pk).update(status=Expert.Status.WITHDRAWN)
    with pytest.raises(ValidationError):
        assignment_run_accept(by=cast.secretariat, run=run)
    assert not ShortlistEntry.objects.exists()
    assert not AuditEvent.objects.filter(action__in=["shortlist.add", "assignment_run.accept"]).exists()
    assert not run.run_needs.filter(accepted_at__isnull=False).exists()


def test_a_need_changed_since_the_run_is_refused_with_nothing_written(cast, policy, contested):
    run = _run()
    Expert.objects.filter(pk=contested["second"].pk).update(version=contested["second"].version + 1)
    with pytest.raises(ValidationError, match=f"#{contested['one'].pk}"):
        assignment_run_accept(by=cast.secretariat, run=run)
    assert not ShortlistEntry.objects.exists()
    # The need whose inputs are unchanged can still be accepted on its own.
    assert assignment_run_accept(by=cast.secretariat, run=run, needs=[contested["both"].pk]).added == 1


def test_an_expert_shortlisted_by_hand_since_the_run_is_skipped_and_reported(cast, policy, contested):
    run = _run()
    ShortlistEntryFactory(need=contested["one"], expert=contested["second"], source="manual")
    accepted = assignment_run_accept(by=cast.secretariat, run=run)
    assert accepted.added == 1 and accepted.skipped == [(contested["one"].pk, contested["second"].pk)]
    assert ShortlistEntry.objects.filter(source="assignment").count() == 1


def test_an_unfinished_run_is_not_accepted(cast, policy, contested):
    run = assignment_run_start(by=cast.secretariat, background=False)
    with pytest.raises(ValidationError, match="finished"):
        assignment_run_accept(by=cast.secretariat, run=run)


# --- the background task ---------------------------------------------------------------------------


def test_starting_a_run_queues_a_task_that_a_worker_performs(
    cast, policy, contested, django_capture_on_commit_callbacks, monkeypatch
):
    # The worker closes the database connection between tasks; the test's transaction must outlive it (on
    # PostgreSQL the closed connection ends the test), as run_manage does for commands. Only that is skipped.
    from django_tasks_db.management.commands import db_worker

    monkeypatch.setattr(db_worker, "close_old_connections", lambda: None)
    with django_capture_on_commit_callbacks(execute=True):
        run = assignment_run_start(by=cast.secretariat)
    run.refresh_from_db()
    assert (run.status, run.stage, run.progress) == ("queued", "waiting", 0)
    task = DBTaskResult.objects.get()
    assert task.task_path == assignment_run_execute.module_path and str(task.id) == run.task_id
    assert task.args_kwargs == {"args": [], "kwargs": {"run_id": run.pk}}
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    run.refresh_from_db()
    assert run.status == "finished" and run.figures["assignments"] == 2
    assert DBTaskResult.objects.get().status == TaskResultStatus.SUCCESSFUL


def test_a_failing_run_is_marked_failed_with_the_errors_class_and_audited(cast, policy, contested, monkeypatch):
    from matching import runs

    def broken(problem):
        raise ArithmeticError("the solver broke")

    monkeypatch.setattr(runs.assignment, "assign", broken)
    run = assignment_run_start(by=cast.secretariat, background=False)
    with pytest.raises(ArithmeticError):
        assignment_run_perform(run_id=run.pk)
    run.refresh_from_db()
    assert (run.status, run.error) == ("failed", "ArithmeticError")
    assert AuditEvent.objects.get(action="assignment_run.fail").details["error"] == "ArithmeticError"


def test_a_run_already_taken_by_a_worker_is_not_performed_twice(policy, contested):
    run = _run()
    again = assignment_run_perform(run_id=run.pk)
    assert again.status == "finished" and AssignmentProposal.objects.filter(run_need__run=run).count() == 2


# --- the command -----------------------------------------------------------------------------------


def test_assign_json_prints_the_runs_assignments_unfilled_places_and_figures(policy, contested, run_manage, capsys):
    lonely = NeedFactory(articles=[5], title="Nobody knows chapter II")
    assert run_manage("assign", "--needs", "open", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    run = AssignmentRun.objects.get()
    assert printed["run"] == run.pk
    assert printed["assignments"] == {
        str(contested["both"].pk): [contested["strong"].pk],
        str(contested["one"].pk): [contested["second"].pk],
        str(lonely.pk): [],
    }
    assert printed["unfilled"] == {str(lonely.pk): {"places": 1, "reason": "no_qualified_expert"}}
    assert set(printed["figures"]) == {"objective", "seconds", "needs_over_cap", "load_violations", "staffed_share"}
    assert printed["figures"]["staffed_share"] == pytest.approx(2 / 3)


def test_assign_export_scores_writes_need_expert_score_rows(policy, contested, run_manage, tmp_path, capsys):
    path = tmp_path / "scores.csv"
    assert run_manage("assign", "--export-scores", str(path)) == 0
    rows = [line.split(",") for line in path.read_text().splitlines()]
    assert {(int(n), int(e)) for n, e, _s in rows} == {
        (contested["both"].pk, contested["strong"].pk),
        (contested["both"].pk, contested["second"].pk),
        (contested["one"].pk, contested["strong"].pk),
        (contested["one"].pk, contested["second"].pk),
    }
    assert all(0 < float(score) <= 1 and len(score.split(".")[1]) == 6 for _n, _e, score in rows)
    assert "Run " in capsys.readouterr().out


def test_a_run_with_no_need_in_scope_finishes_empty(policy, run_manage, capsys):
    expert()
    assert run_manage("assign", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["assignments"] == {} and printed["unfilled"] == {}
    assert printed["figures"]["staffed_share"] == 1.0 and printed["figures"]["load_violations"] == 0


# --- a run whose worker died ---------------------------------------------------------------------------


def _running(run: AssignmentRun, *, silent_for: timedelta) -> AssignmentRun:
    """The run as a worker leaves it when it dies in the middle: running, its last progress `silent_for` ago."""
    last = timezone.now() - silent_for
    AssignmentRun.objects.filter(pk=run.pk).update(
        status="running", stage="scoring", progress=30, started_at=last, progressed_at=last
    )
    run.refresh_from_db()
    return run


def test_a_run_without_progress_for_the_configured_time_is_marked_failed_once_and_audited(
    cast, policy, contested, settings
):
    settings.ASSIGNMENT_RUN_STALE_MINUTES = 10
    dead = _running(assignment_run_start(by=cast.secretariat, background=False), silent_for=timedelta(minutes=11))
    alive = _running(assignment_run_start(by=cast.secretariat, background=False), silent_for=timedelta(minutes=9))
    queued = assignment_run_start(by=cast.secretariat, background=False)
    assert assignment_runs_fail_stale() == [dead.pk]
    assert assignment_runs_fail_stale() == []
    dead.refresh_from_db()
    assert (dead.status, dead.error, dead.finished_at is not None) == ("failed", STALE_ERROR, True)
    assert AssignmentRun.objects.get(pk=alive.pk).status == "running"
    assert AssignmentRun.objects.get(pk=queued.pk).status == "queued"  # waiting for a worker is not a failure
    event = AuditEvent.objects.get(action="assignment_run.fail")
    assert event.target_id == str(dead.pk) and event.actor is None
    assert event.details["error"] == STALE_ERROR and event.details["stale_minutes"] == 10
    assert event.details["stage"] == "scoring" and event.details["started_by"] == cast.secretariat.pk


def test_each_step_of_a_run_records_its_progress_time(policy, contested, monkeypatch):
    from matching import runs

    seen = []
    real = runs.assignment.assign

    def solving(problem):
        seen.append(AssignmentRun.objects.values_list("stage", "progressed_at").get())
        return real(problem)

    monkeypatch.setattr(runs.assignment, "assign", solving)
    before = timezone.now()
    run = _run()
    assert seen[0][0] == "solving" and seen[0][1] >= before
    assert run.status == "finished"


def test_a_worker_that_comes_back_after_its_run_was_given_up_stores_nothing(cast, policy, contested, monkeypatch):
    from matching import runs

    real = runs.assignment.assign

    def stopped_then_resumed(problem):
        # The worker was stopped here long enough for the run to be given up, then went on.
        AssignmentRun.objects.update(progressed_at=timezone.now() - timedelta(hours=2))
        assert assignment_runs_fail_stale()
        return real(problem)

    monkeypatch.setattr(runs.assignment, "assign", stopped_then_resumed)
    run = _run(by=cast.secretariat)
    assert (run.status, run.error) == ("failed", STALE_ERROR)
    assert not AssignmentProposal.objects.exists() and not run.run_needs.exists()
    assert AuditEvent.objects.filter(action="assignment_run.fail").count() == 1
    assert not AuditEvent.objects.filter(action="assignment_run.finish").exists()
