"""A secretariat member pins experts for a need on its review page (never one, always another), starts an assignment
run, and finds the forced expert proposed (marked as pinned) and the forbidden one absent."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from matching import services
from matching.models import AssignmentPin
from tests.e2e.test_accessibility import _violations
from tests.factories import NeedFactory
from tests.matching.test_services import expert

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def need():
    policy = services.matching_policy_active()
    policy.k, policy.regional_cap = 1, 1
    policy.save()
    # Claire covers both of the need's articles and would be proposed without pins; Ngozi and Beatriz one each.
    expert(nationality="FRA", given_name="Claire", family_name="Example", articles={46: 3, 48: 3}, days_per_year=40)
    expert(nationality="NGA", given_name="Ngozi", family_name="Example", articles={46: 3}, days_per_year=40)
    expert(nationality="BRA", given_name="Beatriz", family_name="Example", articles={46: 2}, days_per_year=40)
    return NeedFactory(articles=[46, 48], title="Central authority for mutual legal assistance")


def test_a_member_forbids_one_expert_forces_another_and_the_run_obeys(cast, need, page, sign_in, live_server):
    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Review needs: rankings and shortlists").click()
    page.get_by_role("link", name=need.title).click()
    expect(page.get_by_role("heading", name="Pins for assignment runs")).to_be_visible()
    ranking = page.get_by_role("table", name="Ranking of the active policy")

    claire = ranking.get_by_role("row", name="Claire Example")
    claire.get_by_text("Always or never propose").click()
    claire.get_by_role("button", name="Never propose for this need").click()
    # A reason is required to never propose: the page says so and keeps the form open.
    expect(page.get_by_text("Say why the expert must never be proposed for this need.")).to_be_visible()
    claire = page.get_by_role("table", name="Ranking of the active policy").get_by_role("row", name="Claire Example")
    claire.get_by_label("Reason (required to never propose)").fill("Advises the requesting State's ministry")
    claire.get_by_role("button", name="Never propose for this need").click()
    expect(page.get_by_text("Assignment runs will never propose Claire Example for this need.")).to_be_visible()

    beatriz = page.get_by_role("table", name="Ranking of the active policy").get_by_role("row", name="Beatriz Example")
    beatriz.get_by_text("Always or never propose").click()
    beatriz.get_by_role("button", name="Always propose for this need").click()
    expect(page.get_by_text("Assignment runs will always propose Beatriz Example for this need.")).to_be_visible()

    pins = page.get_by_role("table", name="Current pins")
    expect(pins.get_by_role("row", name="Claire Example")).to_contain_text("Never propose")
    expect(pins.get_by_role("row", name="Claire Example")).to_contain_text("Advises the requesting State's ministry")
    expect(pins.get_by_role("row", name="Beatriz Example")).to_contain_text("Always propose")
    expect(pins.get_by_role("row", name="Beatriz Example")).to_contain_text(cast.secretariat.get_full_name())
    history = page.get_by_role("table", name="Who changed the shortlist, when, and what")
    expect(history.get_by_role("row").filter(has_text="Pinned for assignment runs")).to_have_count(2)
    assert _violations(page) == []
    assert set(AssignmentPin.objects.values_list("expert__given_name", "kind")) == {
        ("Claire", "forbid"),
        ("Beatriz", "force"),
    }

    page.get_by_role("link", name="Home").click()
    page.get_by_role("link", name="Assignment runs").click()
    page.get_by_label("Open needs", exact=True).check()
    page.get_by_role("button", name="Start the run").click()
    expect(page.get_by_role("heading", name=re.compile(r"Assignment run \d+"))).to_be_visible()
    # A background worker, as `manage.py db_worker` runs beside the server, takes the queued run.
    call_command("db_worker", "--batch", "--no-reload", "--no-startup-delay", verbosity=0)

    expect(page.get_by_role("table", name="Figures")).to_be_visible(timeout=10_000)
    proposed = page.get_by_role("table", name="Proposals, need by need").get_by_role("row").filter(has_text=need.title)
    expect(proposed.get_by_role("listitem")).to_have_count(1)
    expect(proposed.get_by_role("listitem")).to_contain_text("Beatriz Example")
    expect(proposed.get_by_role("listitem")).to_contain_text("(pinned: always proposed)")
    expect(proposed).not_to_contain_text("Claire Example")
    obeyed = page.get_by_role("table", name="The run's pins")
    expect(obeyed.get_by_role("row").filter(has_text="Claire Example")).to_contain_text("Not proposed")
    expect(obeyed.get_by_role("row").filter(has_text="Beatriz Example")).to_contain_text("Proposed")
    assert _violations(page) == []
