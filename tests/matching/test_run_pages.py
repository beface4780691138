"""The secretariat's workspace pages for assignment runs: who may open them, starting a run, following it, and
accepting its proposals need by need or all at once."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from matching import services
from matching.models import AssignmentRun, ShortlistEntry
from matching.pins import assignment_pin_set
from matching.runs import assignment_run_perform, assignment_run_start
from tests.conftest import signed_in_client
from tests.factories import FocalPointFactory, NeedFactory
from tests.matching.test_services import expert

pytestmark = pytest.mark.django_db


@pytest.fixture
def finished_run():
    policy = services.matching_policy_active()
    policy.k, policy.regional_cap = 2, 2
    policy.save()
    needs = [NeedFactory(articles=[46], title=f"Need {i}") for i in range(2)]
    for nationality in ("FRA", "NGA", "BRA"):
        expert(nationality=nationality, days_per_year=40)
    run = assignment_run_start(by=None, background=False)
    return assignment_run_perform(run_id=run.pk), needs


def _urls(run: AssignmentRun) -> list[tuple[str, str]]:
    return [
        ("get", reverse("admin:matching_run_list")),
        ("post", reverse("admin:matching_run_start")),
        ("get", reverse("admin:matching_run_detail", args=[run.pk])),
        ("get", reverse("admin:matching_run_status", args=[run.pk])),
        ("post", reverse("admin:matching_run_accept", args=[run.pk])),
    ]


@pytest.mark.parametrize("who", ["owner", "focal_point_other_state", "staff_outside_the_secretariat", "anonymous"])
def test_only_the_secretariat_opens_any_assignment_run_page(cast, finished_run, who):
    run, _needs = finished_run
    if who == "staff_outside_the_secretariat":
        client = signed_in_client(FocalPointFactory(email="staff@a.example.org", state=cast.owner.state, is_staff=True))
    else:
        client = cast.client_for(who)
    for method, url in _urls(run):
        response = getattr(client, method)(url, {"everything": "on", "policy": run.policy_id, "scope": "open"})
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login")), url
    assert AssignmentRun.objects.count() == 1 and not ShortlistEntry.objects.exists()


def test_the_workspace_urls_are_named_in_the_admin_and_the_secretariat_opens_them(cast, finished_run):
    run, _needs = finished_run
    client = cast.client_for("secretariat")
    assert client.get(reverse("admin:matching_run_list")).status_code == 200
    assert client.get(reverse("admin:matching_run_detail", args=[run.pk])).status_code == 200
    assert client.get(reverse("admin:matching_run_detail", args=[run.pk + 99])).status_code == 404
    # The admin's index leads to them.
    assert f'href="{reverse("admin:matching_run_list")}"'.encode() in client.get(reverse("admin:index")).content


def test_starting_a_run_from_the_page_queues_it_and_shows_its_progress(
    cast, finished_run, django_capture_on_commit_callbacks
):
    client = cast.client_for("secretariat")
    policy = services.matching_policy_active()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("admin:matching_run_start"), {"policy": policy.pk, "scope": "active"})
    run = AssignmentRun.objects.first()
    assert response["Location"] == reverse("admin:matching_run_detail", args=[run.pk])
    assert (run.status, run.scope, run.created_by, run.task_id != "") == ("queued", "active", cast.secretariat, True)
    page = client.get(response["Location"]).content.decode()
    assert "Waiting for a background worker" in page and 'http-equiv="refresh"' in page
    assert "js/assignment_run.js" in page and "<script>" not in page  # no inline script: the CSP forbids it
    status = client.get(reverse("admin:matching_run_status", args=[run.pk])).json()
    assert status == {
        "status": "queued",
        "status_label": "Queued",
        "stage": "waiting",
        "stage_label": "Waiting for a background worker",
        "progress": 0,
        "done": False,
    }


def test_a_start_form_with_an_unknown_policy_is_shown_again_with_its_error(cast, finished_run):
    response = cast.client_for("secretariat").post(reverse("admin:matching_run_start"), {"policy": 999, "scope": "x"})
    assert response.status_code == 200 and AssignmentRun.objects.count() == 1
    assert response.context["form"].errors.keys() == {"policy", "scope"}


def test_the_run_page_shows_figures_proposals_and_translated_reasons(cast, finished_run):
    run, needs = finished_run
    lonely = NeedFactory(articles=[5], title="Nobody for chapter II")
    services.ROSTER_CACHE.clear()
    again = assignment_run_perform(run_id=assignment_run_start(by=None, background=False).pk)
    page = cast.client_for("secretariat").get(reverse("admin:matching_run_detail", args=[again.pk]))
    text = page.content.decode()
    assert "Needs fully staffed" in text and "66.7 %" in text and "AFR 2, WEOG 2<" in text
    assert "No other expert passes the need&#x27;s filters." in text
    assert f'value="{lonely.pk}"' not in text  # nothing to accept for it
    assert text.count('name="only"') == 2
    french = cast.client_for("secretariat").get(
        reverse("admin:matching_run_detail", args=[again.pk]), headers={"accept-language": "fr"}
    )
    assert french.status_code == 200


def test_accepting_one_need_from_the_page(cast, finished_run):
    run, needs = finished_run
    client = cast.client_for("secretariat")
    response = client.post(reverse("admin:matching_run_accept", args=[run.pk]), {"only": needs[0].pk}, follow=True)
    assert "Proposals accepted for 1 need. 2 experts added to shortlists." in response.content.decode()
    assert set(ShortlistEntry.objects.values_list("need_id", "source")) == {(needs[0].pk, "assignment")}
    assert ShortlistEntry.objects.count() == 2


def test_accepting_the_chosen_needs_or_every_need_from_the_page(cast, finished_run):
    run, needs = finished_run
    client = cast.client_for("secretariat")
    url = reverse("admin:matching_run_accept", args=[run.pk])
    nothing = client.post(url, {}, follow=True)
    assert "Choose the needs whose proposals you accept." in nothing.content.decode()
    client.post(url, {"needs": [needs[1].pk]})
    assert set(ShortlistEntry.objects.values_list("need_id", flat=True)) == {needs[1].pk}
    client.post(url, {"everything": "on"})
    assert ShortlistEntry.objects.filter(need=needs[0]).count() == 2


def test_a_refused_acceptance_says_why_on_the_page(cast, finished_run):
    run, needs = finished_run
    needs[0].version += 1
    needs[0].save()
    response = cast.client_for("secretariat").post(
        reverse("admin:matching_run_accept", args=[run.pk]), {"everything": "on"}, follow=True
    )
    assert "changed after the run" in response.content.decode()
    assert not ShortlistEntry.objects.exists()


@pytest.mark.parametrize("needs", [2, 12])
def test_the_run_pages_make_a_bounded_number_of_queries(cast, needs, django_assert_max_num_queries):
    policy = services.matching_policy_active()
    policy.k, policy.regional_cap = 3, 3
    policy.save()
    made = [NeedFactory(articles=[46], title=f"Need {i}") for i in range(needs)]
    people = [
        expert(nationality=nationality, days_per_year=80) for nationality in ("FRA", "NGA", "BRA", "KEN", "IND", "POL")
    ]
    # The run's pins are read in one query, however many there are (two per need here).
    for need in made:
        assignment_pin_set(by=None, need=need, expert=people[0], kind="force")
        assignment_pin_set(by=None, need=need, expert=people[1], kind="forbid", reason="Conflict of interest")
    runs = [assignment_run_perform(run_id=assignment_run_start(by=None, background=False).pk) for _ in range(needs)]
    client = cast.client_for("secretariat")
    with django_assert_max_num_queries(14):
        assert client.get(reverse("admin:matching_run_list")).status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(reverse("admin:matching_run_detail", args=[runs[0].pk])).status_code == 200


def test_with_the_immediate_backend_the_run_is_done_when_its_page_opens(
    cast, finished_run, settings, django_capture_on_commit_callbacks
):
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}
    client = cast.client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse("admin:matching_run_start"), {"policy": finished_run[0].policy_id, "scope": "open"}
        )
    run = AssignmentRun.objects.first()
    assert run.status == "finished" and run.figures["assignments"] == 4
    page = client.get(response["Location"]).content.decode()
    assert "Proposals, need by need" in page and 'http-equiv="refresh"' not in page


def test_a_run_whose_worker_died_shows_failed_with_the_reason_and_starts_again_from_its_page(
    cast, finished_run, settings, django_capture_on_commit_callbacks
):
    settings.ASSIGNMENT_RUN_STALE_MINUTES = 15
    run = assignment_run_start(by=cast.secretariat, scope=AssignmentRun.Scope.ACTIVE, background=False)
    silent_since = timezone.now() - timedelta(minutes=16)
    AssignmentRun.objects.filter(pk=run.pk).update(
        status="running", stage="solving", progress=60, started_at=silent_since, progressed_at=silent_since
    )
    client = cast.client_for("secretariat")
    # The polling page is told the run has ended, and reloads.
    status = client.get(reverse("admin:matching_run_status", args=[run.pk])).json()
    assert (status["status"], status["done"]) == ("failed", True)
    page = client.get(reverse("admin:matching_run_detail", args=[run.pk])).content.decode()
    assert "its background worker has given no news since" in page and "more than 15 minutes ago" in page
    assert 'http-equiv="refresh"' not in page
    assert "Start again: policy “Default”, Open needs and needs being shortlisted" in page
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(reverse("admin:matching_run_start"), {"policy": run.policy_id, "scope": run.scope})
    newest = AssignmentRun.objects.first()
    assert again["Location"] == reverse("admin:matching_run_detail", args=[newest.pk])
    assert (newest.status, newest.policy_id, newest.scope) == ("queued", run.policy_id, "active")
    listed = client.get(reverse("admin:matching_run_list")).content.decode()
    assert listed.count("Failed") == 1


def test_a_run_still_making_progress_is_left_running(cast, finished_run, settings):
    settings.ASSIGNMENT_RUN_STALE_MINUTES = 15
    run = assignment_run_start(by=cast.secretariat, background=False)
    recent = timezone.now() - timedelta(minutes=14)
    AssignmentRun.objects.filter(pk=run.pk).update(status="running", started_at=recent, progressed_at=recent)
    status = cast.client_for("secretariat").get(reverse("admin:matching_run_status", args=[run.pk])).json()
    assert (status["status"], status["done"]) == ("running", False)
