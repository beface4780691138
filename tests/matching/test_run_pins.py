"""Assignment runs obey the secretariat's pins: a forced expert is proposed, a forbidden one never is, a forced pin
that would break a rule is reported with its reason (the run still finishes), and the pins a run read are kept with
it. Hand-made instances through the ORM, on the contested pair of needs of test_runs."""

import json

import pytest
from django.urls import reverse

from matching.models import AssignmentPin, AssignmentProposal, AssignmentRunPin
from matching.pins import assignment_pin_remove, assignment_pin_set
from tests.factories import NeedFactory, ShortlistEntryFactory, country
from tests.matching.test_runs import _proposed, _run
from tests.matching.test_services import expert

pytestmark = pytest.mark.django_db
Kind = AssignmentPin.Kind


def _pin(cast, need, person, kind, reason="Decided by the secretariat"):
    return assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=kind, reason=reason)


def _outcomes(run) -> dict[tuple[int, int, str], str]:
    return {(pin.need_id, pin.expert_id, pin.kind): pin.outcome for pin in run.run_pins.all()}


def test_a_forced_expert_is_proposed_even_below_a_better_one(cast, policy, contested):
    # Without the pin the strong expert takes "both" and the second "one" (test_runs); forcing the second onto
    # "both" leaves "one" to the strong expert.
    _pin(cast, contested["both"], contested["second"], Kind.FORCE)
    run = _run(by=cast.secretariat)
    assert _proposed(run) == {
        contested["both"].pk: [contested["second"].pk],
        contested["one"].pk: [contested["strong"].pk],
    }
    pinned = AssignmentProposal.objects.filter(run_need__run=run, pinned=True)
    assert list(pinned.values_list("run_need__need_id", "expert_id")) == [
        (contested["both"].pk, contested["second"].pk)
    ]
    assert _outcomes(run) == {(contested["both"].pk, contested["second"].pk, "force"): ""}
    assert run.figures["pins_forced"] == 1 and run.figures["pins_not_honoured"] == 0


def test_a_forbidden_expert_is_never_proposed_for_the_need(cast, policy, contested):
    _pin(cast, contested["both"], contested["strong"], Kind.FORBID)
    run = _run()
    assert _proposed(run) == {
        contested["both"].pk: [contested["second"].pk],
        contested["one"].pk: [contested["strong"].pk],
    }
    assert _outcomes(run) == {(contested["both"].pk, contested["strong"].pk, "forbid"): ""}
    assert not AssignmentProposal.objects.filter(pinned=True).exists()


def test_forbidding_the_only_candidate_leaves_the_place_empty_with_its_reason(cast, policy, contested):
    _pin(cast, contested["one"], contested["strong"], Kind.FORBID)
    _pin(cast, contested["one"], contested["second"], Kind.FORBID)
    run = _run()
    one = run.run_needs.get(need=contested["one"])
    assert (one.filled, one.unfilled_reason) == (0, "no_qualified_expert")


def test_removed_pins_are_not_obeyed(cast, policy, contested):
    pin = _pin(cast, contested["both"], contested["strong"], Kind.FORBID)
    assignment_pin_remove(by=cast.secretariat, pin=pin)
    run = _run()
    assert _proposed(run)[contested["both"].pk] == [contested["strong"].pk]
    assert not run.run_pins.exists()


@pytest.mark.parametrize(
    ("fields", "reason"),
    [
        ({"status": "inactive"}, "inactive"),
        ({"consent_given_at": None}, "no_consent"),
        ({"conflicts": ["KEN"]}, "conflict"),
        ({"languages": {"en": 2}}, "language"),
        ({"articles": {5: 3}}, "no_expertise"),
    ],
    ids=["not active", "no consent", "conflict of interest", "language", "no expertise"],
)
def test_a_forced_expert_who_fails_a_hard_filter_is_reported_not_proposed(cast, policy, contested, fields, reason):
    if "conflicts" in fields:
        fields = {"conflicts": [country(code) for code in fields["conflicts"]]}
    barred = expert(given_name="Barred", days_per_year=40, **fields)
    _pin(cast, contested["one"], barred, Kind.FORCE)
    run = _run()
    assert run.status == "finished"
    assert barred.pk not in _proposed(run)[contested["one"].pk]
    assert _outcomes(run) == {(contested["one"].pk, barred.pk, "force"): reason}
    assert run.figures["pins_not_honoured"] == 1


def test_a_national_excluded_by_the_policy_is_reported_when_forced(cast, policy, contested):
    policy.exclude_nationals = True
    policy.save()
    kenyan = expert(nationality="KEN", days_per_year=40)
    _pin(cast, contested["one"], kenyan, Kind.FORCE)
    assert _outcomes(_run()) == {(contested["one"].pk, kenyan.pk, "force"): "national"}


def test_an_expert_forced_beyond_her_capacity_is_proposed_once_and_the_other_pin_reported(cast, policy, contested):
    # The strong expert has time for one need; both pins cannot hold.
    _pin(cast, contested["both"], contested["strong"], Kind.FORCE)
    _pin(cast, contested["one"], contested["strong"], Kind.FORCE)
    run = _run()
    first, second = sorted([contested["both"], contested["one"]], key=lambda need: need.pk)
    assert _outcomes(run) == {
        (first.pk, contested["strong"].pk, "force"): "",
        (second.pk, contested["strong"].pk, "force"): "expert_at_capacity",
    }
    assert _proposed(run)[first.pk] == [contested["strong"].pk]
    assert run.figures["load_violations"] == 0


def test_forced_pins_beyond_the_places_or_the_regional_cap_are_reported(cast, policy, contested):
    policy.k, policy.regional_cap = 2, 1
    policy.save()
    french = [expert(nationality="FRA", days_per_year=40, given_name=f"French {i}") for i in range(2)]
    for person in french:
        _pin(cast, contested["one"], person, Kind.FORCE)
    run = _run()
    outcomes = _outcomes(run)
    assert sorted(outcomes.values()) == ["", "regional_cap"]
    assert run.figures["needs_over_cap"] == 0


def test_a_forced_expert_already_on_the_shortlist_is_reported_as_such(cast, policy, contested):
    policy.k, policy.regional_cap = 2, 2
    policy.save()
    ShortlistEntryFactory(need=contested["one"], expert=contested["second"])
    _pin(cast, contested["one"], contested["second"], Kind.FORCE)
    run = _run()
    assert _outcomes(run) == {(contested["one"].pk, contested["second"].pk, "force"): "already_shortlisted"}


def test_a_need_whose_shortlist_is_full_reports_its_forced_pin(cast, policy, contested):
    ShortlistEntryFactory(need=contested["one"], expert=contested["second"])
    _pin(cast, contested["one"], contested["strong"], Kind.FORCE)
    assert _outcomes(_run())[(contested["one"].pk, contested["strong"].pk, "force")] == "need_full"


def test_the_run_keeps_the_pins_it_read_whatever_happens_to_them_later(cast, policy, contested):
    pin = _pin(cast, contested["both"], contested["second"], Kind.FORCE)
    run = _run()
    assignment_pin_remove(by=cast.secretariat, pin=pin)
    assignment_pin_set(
        by=cast.secretariat, need=contested["both"], expert=contested["strong"], kind=Kind.FORBID, reason="x"
    )
    assert list(AssignmentRunPin.objects.filter(run=run).values_list("need_id", "expert_id", "kind", "outcome")) == [
        (contested["both"].pk, contested["second"].pk, "force", "")
    ]


def test_pins_of_needs_outside_the_runs_scope_are_not_read(cast, policy, contested):
    closed = NeedFactory(articles=[46], status="shortlisting")
    AssignmentPin.objects.create(need=closed, expert=contested["strong"], kind=Kind.FORCE)
    run = _run()
    assert not run.run_pins.exists()


def test_assign_json_lists_the_pins_with_their_outcomes(cast, policy, contested, run_manage, capsys):
    _pin(cast, contested["both"], contested["second"], Kind.FORCE)
    barred = expert(status="inactive")
    _pin(cast, contested["one"], barred, Kind.FORCE)
    assert run_manage("assign", "--json") == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["assignments"][str(contested["both"].pk)] == [contested["second"].pk]
    assert sorted(printed["pins"], key=lambda pin: pin["need"]) == sorted(
        [
            {"need": contested["both"].pk, "expert": contested["second"].pk, "kind": "force", "outcome": ""},
            {"need": contested["one"].pk, "expert": barred.pk, "kind": "force", "outcome": "inactive"},
        ],
        key=lambda pin: pin["need"],
    )
    assert run_manage("assign") == 0
    assert (
        f"pin force expert {barred.pk} for need {contested['one'].pk} not honoured: inactive" in capsys.readouterr().out
    )


def test_the_run_page_lists_the_pins_and_marks_pinned_proposals(cast, policy, contested):
    _pin(cast, contested["both"], contested["second"], Kind.FORCE)
    _pin(cast, contested["one"], contested["second"], Kind.FORBID)
    barred = expert(status="inactive", given_name="Barred")
    _pin(cast, contested["one"], barred, Kind.FORCE)
    run = _run()
    response = cast.client_for("secretariat").get(reverse("admin:matching_run_detail", args=[run.pk]))
    page = response.content.decode()
    assert "The run's pins" in page
    assert "(pinned: always proposed)" in page
    assert "Not honoured:" in page and "The expert is not active on the roster." in page
    assert "2 to always propose, 1 to never propose" in page
    assert "1 not honoured" in page
