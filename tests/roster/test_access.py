"""Who reaches which nomination page: a State sees its own experts, another State gets a 404."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from audit.models import AuditEvent
from roster.models import Expert
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, cv_pdf_bytes

pytestmark = pytest.mark.django_db

MATRIX = [
    ("owner", 200),
    ("colleague_same_state", 200),
    ("focal_point_other_state", 404),
    ("secretariat", 200),
    ("anonymous", 302),
]
POST_MATRIX = [(who, 302 if status == 200 else status) for who, status in MATRIX]


@pytest.fixture
def expert_of_a(cast, state_a):
    # A name that no page text contains by chance (a generated "Lang" once matched "Language").
    expert = ExpertFactory(
        nominating_state=state_a,
        status=Expert.Status.DRAFT,
        created_by=cast.owner,
        given_name="Wanjiru",
        family_name="Kamau-Otieno",
    )
    ExpertLanguageFactory(expert=expert)
    ExpertArticleFactory(expert=expert)
    expert.cv_file.save("cv.pdf", ContentFile(cv_pdf_bytes()), save=False)
    expert.cv_original_name = "Jane Doe CV.pdf"
    expert.cv_content_type = "application/pdf"
    expert.save()
    return expert


def _assert_outcome(response, who, status, expert=None):
    """The status the matrix promises; anonymous is sent to sign in; a 404 names nothing of the expert."""
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith(reverse("login") + "?next=")
    if status == 404 and expert is not None:
        body = response.content.decode()
        for value in (expert.given_name, expert.family_name, expert.email, expert.cv_original_name):
            assert value not in body


@pytest.mark.parametrize("who, status", MATRIX)
@pytest.mark.parametrize(
    "name", ["roster:expert_detail", "roster:expert_edit", "roster:expert_withdraw", "roster:expert_cv"]
)
def test_pages_of_one_expert_answer_only_its_own_state_and_the_secretariat(cast, expert_of_a, who, status, name):
    response = cast.client_for(who).get(reverse(name, args=[expert_of_a.pk]))
    _assert_outcome(response, who, status, expert_of_a)


@pytest.mark.parametrize("who, status", POST_MATRIX)
@pytest.mark.parametrize("name", ["roster:expert_submit", "roster:expert_confirm", "roster:expert_withdraw"])
def test_actions_on_one_expert_answer_only_its_own_state_and_the_secretariat(cast, expert_of_a, who, status, name):
    response = cast.client_for(who).post(reverse(name, args=[expert_of_a.pk]))
    _assert_outcome(response, who, status, expert_of_a)
    if status == 302 and who != "anonymous":
        assert response["Location"] == reverse("roster:expert_detail", args=[expert_of_a.pk])
    expert_of_a.refresh_from_db()
    changed = expert_of_a.version > 1
    assert changed == (status == 302 and who != "anonymous")


@pytest.mark.parametrize("who, status", [("focal_point_other_state", 404), ("anonymous", 302)])
def test_an_expert_of_another_state_is_left_untouched_by_an_edit_post(cast, expert_of_a, who, status):
    response = cast.client_for(who).post(
        reverse("roster:expert_edit", args=[expert_of_a.pk]), {"profile-given_name": "Mallory"}
    )
    _assert_outcome(response, who, status, expert_of_a)
    expert_of_a.refresh_from_db()
    assert expert_of_a.given_name != "Mallory" and expert_of_a.version == 1


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("colleague_same_state", 200),
        ("focal_point_other_state", 200),
        ("secretariat", 200),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("name", ["roster:expert_list", "roster:expert_nominate"])
def test_list_and_nominate_pages_open_to_every_focal_point_and_the_secretariat(cast, who, status, name):
    response = cast.client_for(who).get(reverse(name))
    _assert_outcome(response, who, status)


def test_the_list_of_another_state_does_not_show_state_a_experts(cast, expert_of_a):
    body = cast.client_for("focal_point_other_state").get(reverse("roster:expert_list")).content.decode()
    assert expert_of_a.family_name not in body
    body = cast.client_for("owner").get(reverse("roster:expert_list")).content.decode()
    assert expert_of_a.family_name in body


def test_the_urls_named_by_the_design_are_where_it_says():
    assert reverse("roster:expert_list") == "/nominations/"
    assert reverse("roster:expert_detail", args=[7]) == "/nominations/7/"


@pytest.mark.parametrize(
    "method, name",
    [
        ("post", "roster:expert_list"),
        ("put", "roster:expert_nominate"),
        ("post", "roster:expert_detail"),
        ("put", "roster:expert_edit"),
        ("get", "roster:expert_submit"),
        ("get", "roster:expert_confirm"),
        ("delete", "roster:expert_withdraw"),
        ("post", "roster:expert_cv"),
    ],
)
def test_wrong_http_method_is_refused(cast, expert_of_a, method, name):
    args = [] if name in ("roster:expert_list", "roster:expert_nominate") else [expert_of_a.pk]
    response = getattr(cast.client_for("owner"), method)(reverse(name, args=args))
    assert response.status_code == 405


@pytest.mark.parametrize("who", ["owner", "colleague_same_state", "secretariat"])
def test_cv_is_served_as_an_attachment_that_the_browser_may_not_sniff(cast, expert_of_a, who):
    response = cast.client_for(who).get(reverse("roster:expert_cv", args=[expert_of_a.pk]))
    assert response["Content-Disposition"].startswith("attachment;")
    assert "Jane Doe CV.pdf" in response["Content-Disposition"]
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert b"".join(response.streaming_content) == cv_pdf_bytes()
    assert AuditEvent.objects.filter(action="expert.cv_download", target_id=str(expert_of_a.pk)).count() == 1


def test_cv_file_is_not_under_any_public_url(cast, expert_of_a, settings):
    assert not settings.MEDIA_URL or settings.MEDIA_URL == "/"
    stored = expert_of_a.cv_file.name
    assert stored.startswith("cv/") and "Jane" not in stored
    response = cast.client_for("owner").get("/" + stored)
    assert response.status_code == 404


def test_an_expert_without_a_cv_has_no_download(cast, state_a):
    expert = ExpertFactory(nominating_state=state_a)
    assert cast.client_for("owner").get(reverse("roster:expert_cv", args=[expert.pk])).status_code == 404


def test_secretariat_opening_a_full_record_is_audited(cast, expert_of_a):
    cast.client_for("secretariat").get(reverse("roster:expert_detail", args=[expert_of_a.pk]))
    event = AuditEvent.objects.get(action="expert.view")
    assert event.actor == cast.secretariat and event.target_id == str(expert_of_a.pk)


def test_focal_point_opening_its_own_record_writes_no_view_row(cast, expert_of_a):
    cast.client_for("owner").get(reverse("roster:expert_detail", args=[expert_of_a.pk]))
    assert not AuditEvent.objects.filter(action="expert.view").exists()


def test_absent_and_not_yours_look_alike(cast, expert_of_a):
    other = cast.client_for("focal_point_other_state")
    missing = other.get(reverse("roster:expert_detail", args=[expert_of_a.pk + 1000]))
    not_yours = other.get(reverse("roster:expert_detail", args=[expert_of_a.pk]))
    assert missing.status_code == not_yours.status_code == 404
    assert missing.content == not_yours.content
