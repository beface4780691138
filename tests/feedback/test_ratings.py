"""Ratings after a deployment: the requesting State rates the assistance, the expert the assignment; the
secretariat alone sees them, with the deployment history; the expert's export and erasure include them."""

import re
from datetime import date

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

from audit.models import AuditEvent
from feedback.models import Rating
from roster.personal_data import expert_data_export, expert_erase
from tests.factories import ExpertFactory, ExpertLanguageFactory, NeedFactory, ShortlistEntryFactory
from tests.second_factor import SECOND_FACTOR_QUERIES

pytestmark = pytest.mark.django_db

COMMENT = "Clear advice on the central authority procedures; drafts delivered on time."


def _deployment(need=None, **expert_fields):
    need = need or NeedFactory(title="Mutual legal assistance procedures for Kenya")
    expert = ExpertFactory(given_name="Amina", family_name="Diallo", **expert_fields)
    return ShortlistEntryFactory(
        need=need, expert=expert, status="deployed", deployed_from=date(2026, 3, 2), deployed_until=date(2026, 3, 13)
    )


@pytest.fixture
def deployment(cast):
    return _deployment()


def _url(entry) -> str:
    return reverse("feedback:need_deployment_ratings", args=[entry.need_id])


def _rate(client, entry, score="4", comment=COMMENT):
    prefix = f"deployment-{entry.pk}"
    return client.post(_url(entry), {"entry": entry.pk, f"{prefix}-score": score, f"{prefix}-comment": comment})


# --- the requesting State's rating -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "who, status", [("owner", 302), ("colleague_same_state", 302), ("focal_point_other_state", 404), ("anonymous", 302)]
)
def test_the_requesting_states_focal_points_rate_and_no_one_else(cast, deployment, who, status):
    response = _rate(cast.client_for(who), deployment)
    assert response.status_code == status
    rated = Rating.objects.filter(shortlist_entry=deployment, rater="state").exists()
    assert rated == (who in ("owner", "colleague_same_state"))
    if who == "anonymous":
        assert response["Location"] == f"{reverse('login')}?next={_url(deployment)}"


def test_another_states_focal_point_gets_the_same_404_as_for_a_need_that_does_not_exist(cast, deployment):
    client = cast.client_for("focal_point_other_state")
    absent = client.get(reverse("feedback:need_deployment_ratings", args=[deployment.need_id + 1000]))
    present = client.get(_url(deployment))
    assert (present.status_code, present.content) == (404, absent.content)


def test_the_page_refuses_the_wrong_method(cast, deployment):
    assert cast.client_for("owner").put(_url(deployment)).status_code == 405


def test_the_secretariat_sees_the_page_but_does_not_rate_for_the_state(cast, deployment):
    client = cast.client_for("secretariat")
    assert client.get(_url(deployment)).status_code == 200
    _rate(client, deployment)
    assert not Rating.objects.exists()


def test_a_state_rating_is_audited_with_its_score_and_without_its_comment(cast, deployment):
    response = _rate(cast.client_for("owner"), deployment)
    assert response["Location"] == _url(deployment)
    rating = Rating.objects.get()
    assert (rating.score, rating.comment, rating.rated_by) == (4, COMMENT, cast.owner)
    event = AuditEvent.objects.get(action="rating.give")
    assert event.actor == cast.owner and event.target_id == str(rating.pk)
    assert event.details == {
        "rater": "state",
        "shortlist_entry": deployment.pk,
        "need": deployment.need_id,
        "expert": deployment.expert_id,
        "score": 4,
        "comment_given": True,
    }
    assert COMMENT not in str(event.details)


def test_the_state_rates_once_and_its_focal_points_see_that_it_did_but_not_how(cast, deployment):
    _rate(cast.client_for("owner"), deployment)
    colleague = cast.client_for("colleague_same_state")
    _rate(colleague, deployment, score="1", comment="Another view")
    assert Rating.objects.get().score == 4
    page = colleague.get(_url(deployment)).content.decode()
    assert "Your State rated this assistance on" in page
    assert COMMENT not in page and "4 out of 5" not in page
    secretariat = cast.client_for("secretariat").get(_url(deployment)).content.decode()
    assert "Rated 4 out of 5 by the State" in secretariat and COMMENT in secretariat


def test_a_score_outside_1_to_5_is_refused_next_to_the_field(cast, deployment):
    response = _rate(cast.client_for("owner"), deployment, score="9")
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert not Rating.objects.exists()


def test_only_a_deployment_can_be_rated(cast, deployment):
    selected = ShortlistEntryFactory(need=deployment.need, expert=ExpertFactory(), status="selected")
    page = cast.client_for("owner").get(_url(deployment)).content.decode()
    assert f"deployment-{selected.pk}" not in page
    _rate(cast.client_for("owner"), selected)
    assert not Rating.objects.exists()


def test_the_needs_page_leads_to_its_deployments_and_ratings(cast, deployment):
    page = cast.client_for("owner").get(reverse("needs:need_detail", args=[deployment.need_id])).content.decode()
    assert _url(deployment) in page


@pytest.mark.parametrize("who", ["owner", "secretariat"])
def test_the_need_page_makes_the_same_queries_for_1_or_10_deployments(cast, django_assert_max_num_queries, who):
    need = NeedFactory()
    client = cast.client_for(who)
    _deployment(need)
    client.get(_url(_deployment(need)))  # a warm session, as mid-visit
    extra = SECOND_FACTOR_QUERIES if who == "secretariat" else 0
    with django_assert_max_num_queries(8 + extra) as small:
        client.get(reverse("feedback:need_deployment_ratings", args=[need.pk]))
    for _n in range(8):
        _deployment(need)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("feedback:need_deployment_ratings", args=[need.pk]))
    assert response.content.decode().count('class="deployment"') == 10


# --- the expert's rating, through a one-time link ----------------------------------------------------------------


def _ask_the_expert(cast, entry, capture) -> str:
    with capture(execute=True):
        response = cast.client_for("secretariat").post(reverse("admin:feedback_rating_request", args=[entry.pk]))
    assert response.status_code == 302
    return re.search(r"https?://[^/\s]+(/feedback/rate/\S+/)", mail.outbox[-1].body).group(1)


def test_the_expert_rates_the_assignment_once_through_the_mailed_link(
    cast, deployment, django_capture_on_commit_callbacks
):
    link = _ask_the_expert(cast, deployment, django_capture_on_commit_callbacks)
    assert mail.outbox[-1].to == [deployment.expert.email]
    assert "Mutual legal assistance procedures for Kenya" in mail.outbox[-1].body
    browser = Client()
    page = browser.get(link)
    assert page.status_code == 200 and "Rate your assignment" in page.content.decode()

    done = browser.post(link, {"score": "5", "comment": "A well prepared counterpart team."})

    assert done.status_code == 200 and "Thank you" in done.content.decode()
    rating = Rating.objects.get(rater="expert")
    assert (rating.score, rating.rated_by, rating.shortlist_entry) == (5, None, deployment)
    request, given = AuditEvent.objects.filter(action__startswith="rating.").order_by("id")
    assert (request.action, request.actor, request.target_id) == (
        "rating.request",
        cast.secretariat,
        str(deployment.pk),
    )
    assert (given.action, given.actor, given.details["rater"], given.details["score"]) == (
        "rating.give",
        None,
        "expert",
        5,
    )
    again = browser.post(link, {"score": "1"})
    assert again.status_code == 410 and "already been used" in again.content.decode()
    assert Rating.objects.filter(rater="expert").count() == 1


def test_the_rating_mail_is_written_in_the_experts_language(cast, django_capture_on_commit_callbacks, monkeypatch):
    entry = _deployment()
    ExpertLanguageFactory(expert=entry.expert, language_id="fr", level=7)
    sent = []
    monkeypatch.setattr("feedback.services.mail_send", lambda **kwargs: sent.append(kwargs))
    cast.client_for("secretariat").post(reverse("admin:feedback_rating_request", args=[entry.pk]))
    assert sent[0]["language"] == "fr" and sent[0]["to"] == entry.expert.email


def test_a_newer_link_voids_the_older_one(cast, deployment, django_capture_on_commit_callbacks):
    first = _ask_the_expert(cast, deployment, django_capture_on_commit_callbacks)
    second = _ask_the_expert(cast, deployment, django_capture_on_commit_callbacks)
    assert Client().get(first).status_code == 410
    assert Client().get(second).status_code == 200


def test_an_altered_link_opens_nothing(cast, deployment, django_capture_on_commit_callbacks):
    link = _ask_the_expert(cast, deployment, django_capture_on_commit_callbacks)
    response = Client().post(link[:-3] + "xx/", {"score": "5"})
    assert response.status_code == 410
    assert not Rating.objects.exists()


def test_no_link_for_an_expert_who_has_rated_or_an_entry_not_deployed(
    cast, deployment, django_capture_on_commit_callbacks
):
    Rating.objects.create(shortlist_entry=deployment, rater="expert", score=3)
    client = cast.client_for("secretariat")
    response = client.post(reverse("admin:feedback_rating_request", args=[deployment.pk]), follow=True)
    assert "already rated" in response.content.decode()
    contacted = ShortlistEntryFactory(status="contacted")
    assert client.post(reverse("admin:feedback_rating_request", args=[contacted.pk])).status_code == 404
    assert mail.outbox == []


def test_the_rating_request_refuses_a_get(cast, deployment):
    response = cast.client_for("secretariat").get(reverse("admin:feedback_rating_request", args=[deployment.pk]))
    assert response.status_code == 405


# --- the secretariat's workspace page --------------------------------------------------------------------------


def test_the_workspace_shows_every_deployment_with_both_ratings(cast, deployment):
    Rating.objects.create(shortlist_entry=deployment, rater="state", rated_by=cast.owner, score=4, comment=COMMENT)
    Rating.objects.create(shortlist_entry=deployment, rater="expert", score=2, comment="Too short")
    other = _deployment(NeedFactory(requesting_state=cast.focal_point_other_state.state))
    page = cast.client_for("secretariat").get(reverse("admin:feedback_deployments"))
    body = page.content.decode()
    assert page.status_code == 200
    assert COMMENT in body and "Too short" in body and "4/5" in body and "2/5" in body
    assert other.need.title in body
    only_kenya = cast.client_for("secretariat").get(reverse("admin:feedback_deployments"), {"state": "ken"})
    assert other.need.title not in only_kenya.content.decode()
    one_expert = cast.client_for("secretariat").get(reverse("admin:feedback_deployments"), {"expert": other.expert_id})
    assert deployment.need.title not in one_expert.content.decode()


def test_a_filter_the_workspace_cannot_apply_empties_it(cast, deployment):
    page = cast.client_for("secretariat").get(reverse("admin:feedback_deployments"), {"deployed_from": "not a date"})
    assert page.status_code == 200 and deployment.need.title not in page.content.decode()


def test_the_workspace_makes_the_same_queries_for_2_or_20_deployments(cast, django_assert_max_num_queries):
    client = cast.client_for("secretariat")
    for _n in range(2):
        Rating.objects.create(shortlist_entry=_deployment(), rater="expert", score=3)
    client.get(reverse("admin:feedback_deployments"))
    with django_assert_max_num_queries(9) as small:
        client.get(reverse("admin:feedback_deployments"))
    for _n in range(18):
        Rating.objects.create(shortlist_entry=_deployment(), rater="expert", score=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get(reverse("admin:feedback_deployments"))
    assert response.content.decode().count("3/5") == 20


# --- the expert's own data ----------------------------------------------------------------------------------------


def test_the_experts_export_holds_both_ratings_and_erasure_blanks_their_comments(cast, deployment):
    Rating.objects.create(shortlist_entry=deployment, rater="state", rated_by=cast.owner, score=4, comment=COMMENT)
    Rating.objects.create(shortlist_entry=deployment, rater="expert", score=5, comment="A well prepared team.")

    exported = expert_data_export(expert=deployment.expert)["other_records"]["feedback.rating"]

    assert sorted((row["rater"], row["score"], row["comment"]) for row in exported) == [
        ("expert", 5, "A well prepared team."),
        ("state", 4, COMMENT),
    ]
    assert all("rated_by_id" not in row for row in exported)  # the focal point is not the expert's data

    expert_erase(expert=deployment.expert, by=cast.secretariat)

    assert sorted(Rating.objects.values_list("rater", "score", "comment")) == [("expert", 5, ""), ("state", 4, "")]


def test_the_admins_index_lists_the_deployments_page(cast):
    page = cast.client_for("secretariat").get(reverse("admin:index")).content.decode()
    assert f'href="{reverse("admin:feedback_deployments")}"' in page and "Deployments and ratings" in page
