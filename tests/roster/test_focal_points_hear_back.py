"""Focal points hear back: what waits for them on the home page, and a fresh link for an expert on request."""

from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from audit.models import AuditEvent
from roster.models import Expert
from tests.factories import ExpertFactory, country

pytestmark = pytest.mark.django_db
S = Expert.Status
HOME = reverse("home")


def _home(client) -> str:
    return client.get(HOME, HTTP_ACCEPT_LANGUAGE="en").content.decode()


def test_the_home_page_lists_what_waits_for_the_focal_point_with_the_secretariats_words(cast, state_a):
    ExpertFactory(
        nominating_state=state_a,
        status=S.CHANGES_REQUESTED,
        family_name="Otieno",
        given_name="Ann",
        secretariat_message="Add the years of each post.",
    )
    ExpertFactory(nominating_state=state_a, status=S.REJECTED, family_name="Ali", secretariat_message="Out of scope.")
    ExpertFactory(nominating_state=state_a, status=S.DRAFT, family_name="Wafula")
    ExpertFactory(
        nominating_state=state_a,
        status=S.SUBMITTED,
        family_name="Kamau",
        consent_given_at=None,
        confirmation_requested_at=timezone.now(),
    )
    ExpertFactory(
        nominating_state=state_a, family_name="Mwangi", last_confirmed_at=timezone.now() - timedelta(days=3 * 365)
    )
    page = _home(cast.client_for("owner"))
    assert "Needs your attention" in page
    for title, name in [
        ("The secretariat asked for changes", "Otieno, Ann"),
        ("Rejected in the last 30 days", "Ali"),
        ("Drafts not yet submitted", "Wafula"),
        ("Waiting for the expert&#x27;s consent", "Kamau"),
        ("Profiles to confirm as still current", "Mwangi"),
    ]:
        assert title in page and name in page
    assert "Add the years of each post." in page and "Out of scope." in page


def test_another_states_items_never_show(cast, state_b):
    ExpertFactory(nominating_state=state_b, status=S.CHANGES_REQUESTED, family_name="Dupont")
    page = _home(cast.client_for("owner"))
    assert "Dupont" not in page and "Needs your attention" not in page
    assert "Dupont" in _home(cast.client_for("focal_point_other_state"))


def test_the_secretariat_sees_its_validation_queue_on_the_home_page(cast):
    ExpertFactory(status=S.SUBMITTED, family_name="Kamau", nominating_state=country("FRA"))
    ExpertFactory(status=S.ACTIVE, revalidation_pending=True, family_name="Njoroge")
    page = _home(cast.client_for("secretariat"))
    assert "Nominations waiting for validation" in page and "Kamau" in page
    assert "Changes to active profiles waiting for validation" in page and "Njoroge" in page


def test_the_home_page_makes_the_same_queries_for_few_or_many_items(cast, state_a, django_assert_max_num_queries):
    client = cast.client_for("owner")
    for status in (S.CHANGES_REQUESTED, S.DRAFT, S.REJECTED):
        ExpertFactory(nominating_state=state_a, status=status)
    with django_assert_max_num_queries(30) as few:
        client.get(HOME)
    for status in (S.CHANGES_REQUESTED, S.DRAFT, S.REJECTED):
        ExpertFactory.create_batch(8, nominating_state=state_a, status=status)
    with django_assert_max_num_queries(len(few.captured_queries)):
        client.get(HOME)


# --- resending the expert's link ------------------------------------------------------------------


def _resend(client, expert):
    return client.post(reverse("roster:expert_resend_link", args=[expert.pk]), HTTP_ACCEPT_LANGUAGE="en", follow=True)


@pytest.mark.parametrize("who", ["owner", "colleague_same_state", "secretariat"])
def test_a_focal_point_of_the_state_or_the_secretariat_resends_the_link(
    cast, state_a, who, django_capture_on_commit_callbacks
):
    expert = ExpertFactory(nominating_state=state_a, status=S.SUBMITTED, email="wanjiru@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        response = _resend(cast.client_for(who), expert)
    assert "A new link has been sent to wanjiru@example.org" in response.content.decode()
    (message,) = mail.outbox
    assert message.to == ["wanjiru@example.org"] and "/expert/confirm/" in message.body
    assert AuditEvent.objects.get(action="expert.link_resend").actor == getattr(cast, who)


def test_another_state_gets_404_and_anonymous_is_sent_to_sign_in(cast, state_a):
    expert = ExpertFactory(nominating_state=state_a)
    url = reverse("roster:expert_resend_link", args=[expert.pk])
    assert cast.client_for("focal_point_other_state").post(url).status_code == 404
    response = cast.client_for("anonymous").post(url)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert cast.client_for("owner").get(url).status_code == 405
    assert mail.outbox == []


def test_no_link_is_sent_for_a_withdrawn_profile(cast, state_a):
    expert = ExpertFactory(nominating_state=state_a, status=S.WITHDRAWN)
    page = _resend(cast.client_for("owner"), expert).content.decode()
    assert "No link is sent for a withdrawn or rejected profile." in page
    assert mail.outbox == [] and not AuditEvent.objects.filter(action="expert.link_resend").exists()


def test_resending_is_limited_so_an_expert_is_not_flooded(cast, state_a, settings, django_capture_on_commit_callbacks):
    settings.PASSWORD_RESET_MAX_PER_EMAIL = 2
    expert = ExpertFactory(nominating_state=state_a)
    with django_capture_on_commit_callbacks(execute=True):
        pages = [_resend(cast.client_for("owner"), expert).content.decode() for _ in range(3)]
    assert "several times already" in pages[2] and len(mail.outbox) == 2


@pytest.mark.parametrize("status, shown", [(S.ACTIVE, True), (S.SUBMITTED, False), (S.DRAFT, False)])
def test_confirm_still_current_is_offered_only_on_active_profiles(cast, state_a, status, shown):
    expert = ExpertFactory(nominating_state=state_a, status=status)
    page = cast.client_for("owner").get(reverse("roster:expert_detail", args=[expert.pk]), HTTP_ACCEPT_LANGUAGE="en")
    assert ("Confirm still current" in page.content.decode()) is shown


def test_the_restricted_admins_home_shows_the_validation_queue(cast):
    waiting = ExpertFactory(status=S.SUBMITTED, family_name="Kamau", given_name="Wanjiru")
    page = cast.client_for("secretariat").get(reverse("admin:index"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert 'id="validation-queue"' in page and "Nominations waiting for validation" in page
    assert reverse("admin:roster_expert_change", args=[waiting.pk]) in page and "Kamau, Wanjiru" in page
