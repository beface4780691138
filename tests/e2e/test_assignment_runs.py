"""The secretariat starts an assignment run, watches a background worker take it through its stages, and accepts
its proposals for one need."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from matching import runs, services
from matching.models import AssignmentRun, ShortlistEntry
from tests.e2e.test_accessibility import _violations
from tests.factories import NeedFactory
from tests.matching.test_services import expert

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def needs():
    policy = services.matching_policy_active()
    policy.k, policy.regional_cap = 2, 1
    policy.save()
    for nationality, name in (("FRA", "Claire"), ("NGA", "Ngozi"), ("BRA", "Beatriz")):
        expert(nationality=nationality, given_name=name, family_name="Example", days_per_year=40)
    return [
        NeedFactory(articles=[46], title="Central authority for mutual legal assistance"),
        NeedFactory(articles=[46], title="Extradition procedures"),
    ]


def test_the_secretariat_starts_a_run_sees_it_progress_and_accepts_one_need(
    cast, needs, page, sign_in, live_server, monkeypatch
):
    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Assignment runs").click()
    assert _violations(page) == []
    page.get_by_label("Matching policy").select_option(label="Default")
    page.get_by_label("Open needs", exact=True).check()
    page.get_by_role("button", name="Start the run").click()

    expect(page.get_by_role("heading", name=re.compile(r"Assignment run \d+"))).to_be_visible()
    status = page.get_by_role("status")
    expect(status).to_contain_text("Queued: Waiting for a background worker")
    progress = page.get_by_role("progressbar", name="Progress")
    expect(progress).to_have_attribute("value", "0")
    assert _violations(page) == []

    solve = runs.assignment.assign
    seen = {}

    def watched_solve(problem):
        # The worker has scored the needs and starts solving: the open page follows without being reloaded.
        expect(status).to_contain_text("Running: Solving the assignment", timeout=10_000)
        expect(progress).to_have_attribute("value", "60")
        seen["solving"] = True
        return solve(problem)

    monkeypatch.setattr(runs.assignment, "assign", watched_solve)
    # A background worker, as `manage.py db_worker` runs beside the server, takes the queued run.
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)
    assert seen == {"solving": True}

    expect(page.get_by_role("table", name="Figures")).to_be_visible(timeout=10_000)
    expect(page.get_by_role("row", name=re.compile("Needs fully staffed"))).to_contain_text("100.0 %")
    expect(page.get_by_role("row", name=re.compile("Experts beyond their availability"))).to_contain_text("0")
    assert _violations(page) == []
    first = page.get_by_role("row").filter(has_text=needs[0].title)
    expect(first.get_by_role("listitem")).to_have_count(2)
    first.get_by_role("button", name=f"Accept for “{needs[0].title}”").click()

    expect(page.get_by_text("Proposals accepted for 1 need. 2 experts added to shortlists.")).to_be_visible()
    expect(page.get_by_role("row").filter(has_text=needs[0].title)).to_contain_text("Accepted")
    second = page.get_by_role("row").filter(has_text=needs[1].title)
    expect(second.get_by_role("button", name=f"Accept for “{needs[1].title}”")).to_be_visible()
    run = AssignmentRun.objects.get()
    assert run.status == AssignmentRun.Status.FINISHED and run.created_by == cast.secretariat
    entries = ShortlistEntry.objects.filter(source="assignment")
    assert set(entries.values_list("need_id", flat=True)) == {needs[0].pk} and entries.count() == 2
