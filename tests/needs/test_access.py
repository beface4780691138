"""Who may open what: the access matrix for every page of the needs register."""

import pytest
from django.urls import reverse

from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

CAST = ["owner", "colleague_same_state", "focal_point_other_state", "secretariat", "anonymous"]


def _assert_login_redirect(response):
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


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
@pytest.mark.parametrize("url_name", ["needs:need_list", "needs:need_export", "needs:need_create"])
def test_pages_without_a_need_open_to_every_focal_point_and_the_secretariat(cast, need_a, who, status, url_name):
    response = cast.client_for(who).get(reverse(url_name))
    assert response.status_code == status
    if who == "anonymous":
        _assert_login_redirect(response)


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("colleague_same_state", 200),
        ("focal_point_other_state", 404),
        ("secretariat", 200),
        ("anonymous", 302),
    ],
)
@pytest.mark.parametrize("url_name", ["needs:need_detail", "needs:need_edit"])
def test_a_need_opens_only_for_its_state_and_the_secretariat(cast, need_a, who, status, url_name):
    response = cast.client_for(who).get(reverse(url_name, args=[need_a.pk]))
    assert response.status_code == status
    if who == "anonymous":
        _assert_login_redirect(response)


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 302),
        ("colleague_same_state", 302),
        ("focal_point_other_state", 404),
        ("secretariat", 302),
        ("anonymous", 302),
    ],
)
def test_cancelling_a_need_is_open_only_to_its_state_and_the_secretariat(cast, need_a, who, status):
    response = cast.client_for(who).post(reverse("needs:need_status", args=[need_a.pk]), {"status": "cancelled"})
    assert response.status_code == status
    need_a.refresh_from_db()
    if who in ("anonymous", "focal_point_other_state"):
        assert need_a.status == "open"
        assert not AuditEvent.objects.filter(action="need.status").exists()
        if who == "anonymous":
            _assert_login_redirect(response)
    else:
        assert response["Location"] == reverse("needs:need_detail", args=[need_a.pk])
        assert need_a.status == "cancelled"


def test_another_states_need_cannot_be_changed_by_post(cast, need_a):
    client = cast.client_for("focal_point_other_state")
    response = client.post(reverse("needs:need_edit", args=[need_a.pk]), {"title": "Hijacked"})
    assert response.status_code == 404
    need_a.refresh_from_db()
    assert need_a.title == "Witness protection programme for Kenya"


@pytest.mark.parametrize("url_name", ["needs:need_detail", "needs:need_edit"])
def test_a_missing_need_and_another_states_need_look_alike(cast, need_a, url_name):
    client = cast.client_for("focal_point_other_state")
    not_yours = client.get(reverse(url_name, args=[need_a.pk]))
    missing = client.get(reverse(url_name, args=[need_a.pk + 1000]))
    assert not_yours.status_code == missing.status_code == 404
    assert not_yours.content == missing.content
    assert need_a.title.encode() not in not_yours.content


def test_a_refused_status_change_on_another_states_need_looks_like_one_on_a_missing_need(cast, need_a):
    client = cast.client_for("focal_point_other_state")
    not_yours = client.post(reverse("needs:need_status", args=[need_a.pk]), {"status": "cancelled"})
    missing = client.post(reverse("needs:need_status", args=[need_a.pk + 1000]), {"status": "cancelled"})
    assert not_yours.status_code == missing.status_code == 404
    assert not_yours.content == missing.content


@pytest.mark.parametrize(
    "url_name, needs_pk, method",
    [
        ("needs:need_list", False, "post"),
        ("needs:need_export", False, "post"),
        ("needs:need_create", False, "put"),
        ("needs:need_create", False, "delete"),
        ("needs:need_detail", True, "post"),
        ("needs:need_edit", True, "delete"),
        ("needs:need_status", True, "get"),
    ],
)
def test_wrong_http_method_is_405(cast, need_a, url_name, needs_pk, method):
    url = reverse(url_name, args=[need_a.pk] if needs_pk else [])
    response = getattr(cast.client_for("owner"), method)(url)
    assert response.status_code == 405


def test_secretariat_import_pages_are_closed_to_focal_points_and_anonymous(cast):
    for who in ("owner", "focal_point_other_state"):
        response = cast.client_for(who).get(reverse("admin:needs_need_import"))
        assert response.status_code == 302 and "/secretariat/login/" in response["Location"]
    response = cast.client_for("anonymous").get(reverse("admin:needs_need_import"))
    assert response.status_code == 302
    assert cast.client_for("secretariat").get(reverse("admin:needs_need_import")).status_code == 200
    assert cast.client_for("secretariat").put(reverse("admin:needs_need_import")).status_code == 405
    assert cast.client_for("secretariat").get(reverse("admin:needs_need_import_confirm")).status_code == 405
