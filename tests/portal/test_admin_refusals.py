"""Nobody but the secretariat opens a page of the restricted admin: every URL it has is tried.

The URLs are read from the admin site itself (tests/admin_urls.py), workspace pages and pages added
later included. A focal point (even one marked staff), a staff account outside the secretariat's group
and an anonymous visitor are each refused every one of them, by GET and by POST: the site's refusal
is a redirect to its sign-in page, the same for every page, so nothing tells which pages exist.
"""

import pytest
from django.urls import reverse

from tests.admin_urls import OPEN_PAGES, admin_urls
from tests.conftest import signed_in_client
from tests.factories import SecretariatFactory

pytestmark = pytest.mark.django_db

ADMIN_URLS = admin_urls()


@pytest.fixture
def visitor(cast, request):
    who = request.param
    if who == "anonymous":
        return cast.client_for("anonymous")
    if who == "focal_point_marked_staff":
        cast.owner.is_staff = True
        cast.owner.save(update_fields=["is_staff"])
        return signed_in_client(cast.owner)
    # A secretariat account with staff status and its second factor given, but outside the group.
    outsider = SecretariatFactory(email="outsider@secretariat.example.org")
    outsider.groups.clear()
    return signed_in_client(outsider)


def _refused(response, url: str) -> bool:
    location = response.get("Location", "")
    return response.status_code == 302 and location.startswith(f"{reverse('admin:login')}?next=")


def test_the_walk_reaches_every_kind_of_admin_page():
    names = {admin_url.name for admin_url in ADMIN_URLS}
    assert {"index", "accounts_user_changelist", "roster_expert_change", "roster_expert_simple_history"} <= names
    # The workspace pages of the apps (tests/feedback and others check what they show to the secretariat).
    assert {"feedback_deployments", "feedback_rating_request"} <= names
    assert len(ADMIN_URLS) > 100


@pytest.mark.parametrize("visitor", ["focal_point_marked_staff", "staff_outside_the_group", "anonymous"], indirect=True)
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_admin_url_refuses_everyone_outside_the_secretariat(visitor, method):
    let_through = []
    for admin_url in ADMIN_URLS:
        if admin_url.name in OPEN_PAGES:
            continue
        response = getattr(visitor, method)(admin_url.url)
        if not _refused(response, admin_url.url):
            let_through.append(f"{admin_url.url} answered {response.status_code}")
    assert let_through == []


@pytest.mark.parametrize("visitor", ["focal_point_marked_staff", "staff_outside_the_group", "anonymous"], indirect=True)
def test_the_admins_sign_in_page_shows_them_nothing_else(visitor):
    response = visitor.get(reverse("admin:login"))
    assert response.status_code == 200
    assert b'href="/secretariat/roster/' not in response.content
    assert visitor.post(reverse("admin:logout")).status_code == 302


def test_the_walk_is_real_the_secretariat_passes_the_same_gate(cast):
    member = cast.client_for("secretariat")
    stopped = [
        admin_url.url
        for admin_url in ADMIN_URLS
        if admin_url.name not in OPEN_PAGES and _refused(member.get(admin_url.url), admin_url.url)
    ]
    assert stopped == []
