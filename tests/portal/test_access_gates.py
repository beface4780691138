"""Every page outside the restricted admin has one role gate, and the whole access matrix holds.

The signed-in pages are tried with the fixed cast: the focal point of State A (owner) and a colleague
of A may work, the focal point of State B gets a 404 that looks like a missing record, the
secretariat works, anonymous is sent to sign in, and the wrong method is a 405. The expert's pages
answer only to the browser that their own link opened.
"""

import re
from dataclasses import dataclass

import pytest
from django.contrib.admin.sites import site as admin_site
from django.core import mail
from django.core.files.base import ContentFile
from django.http import Http404
from django.test import Client, RequestFactory
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse

from accounts.models import User
from roster.consent import confirmation_request
from roster.models import Expert
from tests.factories import ExpertFactory, NeedFactory, cv_pdf_bytes

pytestmark = pytest.mark.django_db

CAST = ["owner", "colleague_same_state", "focal_point_other_state", "secretariat", "anonymous"]
EXPERT_MARK = "Kamau-Otieno"
NEED_MARK = "Witness protection programme for Kenya"


@dataclass(frozen=True)
class Page:
    name: str
    method: str
    admitted: int  # what the people the page is for get
    wrong_method: str
    record: str | None = None  # "expert" or "need" when the URL names one record of State A
    lists: str | None = None  # "expert" or "need" when the page shows State A's records
    data: dict | None = None
    # What the secretariat gets when it differs from `admitted` (focal points' own tools, such as drafts).
    for_secretariat: int | None = None

    def __str__(self) -> str:
        return self.name


SIGNED_IN_PAGES = [
    Page("roster:expert_list", "get", 200, "post", lists="expert"),
    Page("roster:expert_nominate", "get", 200, "put"),
    Page("roster:expert_detail", "get", 200, "post", record="expert"),
    Page("roster:expert_edit", "get", 200, "put", record="expert"),
    Page("roster:expert_submit", "post", 302, "get", record="expert"),
    Page("roster:expert_confirm", "post", 302, "get", record="expert"),
    Page("roster:expert_resend_link", "post", 302, "get", record="expert"),
    Page("roster:expert_withdraw", "get", 200, "delete", record="expert"),
    Page("roster:expert_cv", "get", 200, "post", record="expert"),
    Page("needs:need_list", "get", 200, "post", lists="need"),
    Page("needs:need_export", "get", 200, "post", lists="need"),
    Page("needs:need_create", "get", 200, "put"),
    Page("needs:need_detail", "get", 200, "post", record="need"),
    Page("needs:need_edit", "get", 200, "delete", record="need"),
    Page("needs:need_status", "post", 302, "get", record="need", data={"status": "cancelled"}),
    Page("feedback:need_deployment_ratings", "get", 200, "put", record="need"),
    Page("password_change", "get", 200, "put"),
    Page("session_extend", "post", 204, "get"),
    Page("roster:expert_draft_save", "post", 200, "get", data={"draft": ""}, for_secretariat=404),
    Page("password_change_done", "get", 200, "post"),
]

EXPERT_PAGES = [
    Page("expert_self:profile", "get", 200, "post"),
    Page("expert_self:consent_give", "post", 302, "get", data={"consent": "on"}),
    Page("expert_self:consent_refuse", "post", 302, "get"),
    Page("expert_self:data_export", "post", 200, "get"),
    Page("expert_self:erase", "post", 302, "get", data={"confirm": "on"}),
]

# The second factor's own pages answer a secretariat member signed in with a password, before or after the
# code (tests/accounts/test_second_factor.py follows the steps); the cast's member has given the code, so
# both pages send the member on.
SECOND_FACTOR_PAGES = [
    Page("second_factor", "get", 302, "put"),
    Page("second_factor_enrol", "get", 302, "delete"),
]


@pytest.fixture
def records(cast, state_a):
    expert = ExpertFactory(
        nominating_state=state_a, status=Expert.Status.DRAFT, created_by=cast.owner, family_name=EXPERT_MARK
    )
    expert.cv_file.save("cv.pdf", ContentFile(cv_pdf_bytes()), save=True)
    need = NeedFactory(requesting_state=state_a, title=NEED_MARK)
    return {"expert": expert, "need": need}


def _url(route: Page, records, *, missing: bool = False) -> str:
    if route.record is None:
        return reverse(route.name)
    pk = records[route.record].pk
    return reverse(route.name, args=[pk + 1000 if missing else pk])


def _body(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def _send(client: Client, route: Page, url: str, method: str | None = None):
    method = method or route.method
    return getattr(client, method)(url, route.data or {}) if method == "post" else getattr(client, method)(url)


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("route", SIGNED_IN_PAGES, ids=str)
def test_signed_in_pages_answer_their_state_and_the_secretariat_and_404_to_another_state(cast, records, route, who):
    client = cast.client_for(who)
    url = _url(route, records)
    response = _send(client, route, url)
    if who == "anonymous":
        assert response.status_code == 302
        assert response["Location"] == f"{reverse('login')}?next={url}"
    elif who == "focal_point_other_state" and route.record:
        assert response.status_code == 404
        missing = _send(client, route, _url(route, records, missing=True))
        assert (missing.status_code, _body(missing)) == (404, _body(response))
    elif who == "secretariat" and route.for_secretariat is not None:
        assert response.status_code == route.for_secretariat
    else:
        assert response.status_code == route.admitted
    if route.lists and response.status_code == 200:
        mark = (EXPERT_MARK if route.lists == "expert" else NEED_MARK).encode()
        assert (mark in _body(response)) == (who != "focal_point_other_state")


@pytest.mark.parametrize("route", SIGNED_IN_PAGES, ids=str)
def test_signed_in_pages_refuse_the_wrong_method(cast, records, route):
    response = _send(cast.client_for("owner"), route, _url(route, records), method=route.wrong_method)
    assert response.status_code == 405


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("route", SECOND_FACTOR_PAGES, ids=str)
def test_second_factor_pages_answer_the_secretariat_only(cast, route, who):
    url = reverse(route.name)
    response = _send(cast.client_for(who), route, url)
    if who == "anonymous":
        assert (response.status_code, response["Location"]) == (302, f"{reverse('login')}?next={url}")
    elif who == "secretariat":
        assert response.status_code == route.admitted
    else:
        assert response.status_code == 404


@pytest.mark.parametrize("route", SECOND_FACTOR_PAGES, ids=str)
def test_second_factor_pages_refuse_the_wrong_method(cast, route):
    response = _send(cast.client_for("secretariat"), route, reverse(route.name), method=route.wrong_method)
    assert response.status_code == 405


def _link_path(expert: Expert, capture) -> str:
    with capture(execute=True):
        confirmation_request(expert=expert)
    return re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", mail.outbox[-1].body).group(1)


@pytest.fixture
def expert_client(records, django_capture_on_commit_callbacks):
    """The browser of State A's expert, opened by the link in their mail."""
    client = Client()
    client.get(_link_path(records["expert"], django_capture_on_commit_callbacks))
    return client


@pytest.fixture
def other_expert_client(state_a, django_capture_on_commit_callbacks):
    """The browser of another expert, opened by that expert's own link."""
    client = Client()
    client.get(_link_path(ExpertFactory(nominating_state=state_a), django_capture_on_commit_callbacks))
    return client


@pytest.mark.parametrize("route", EXPERT_PAGES, ids=str)
def test_expert_pages_answer_the_expert_whose_link_opened_the_session(expert_client, records, route):
    response = _send(expert_client, route, reverse(route.name))
    assert response.status_code == route.admitted
    if route.method == "get":
        assert EXPERT_MARK.encode() in response.content


@pytest.mark.parametrize("route", EXPERT_PAGES, ids=str)
def test_another_experts_session_never_reaches_this_expert(other_expert_client, records, route):
    response = _send(other_expert_client, route, reverse(route.name))
    assert EXPERT_MARK.encode() not in _body(response)
    before = records["expert"]
    after = Expert.objects.get(pk=before.pk)
    assert (after.version, after.consent_given_at, after.erased_at) == (
        before.version,
        before.consent_given_at,
        before.erased_at,
    )


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("route", EXPERT_PAGES, ids=str)
def test_expert_pages_are_404_without_the_experts_link_even_when_signed_in(cast, records, route, who):
    response = _send(cast.client_for(who), route, reverse(route.name))
    assert response.status_code == 404
    assert EXPERT_MARK.encode() not in response.content


@pytest.mark.parametrize("route", EXPERT_PAGES, ids=str)
def test_expert_pages_refuse_the_wrong_method(expert_client, route):
    response = _send(expert_client, route, reverse(route.name), method=route.wrong_method)
    assert response.status_code == 405


# --- the gates themselves ----------------------------------------------------------------------


def _routes(patterns=None, namespace: str = ""):
    """(name, view) for every URL outside the restricted admin, whose own site checks the secretariat."""
    for entry in get_resolver().url_patterns if patterns is None else patterns:
        if isinstance(entry, URLResolver):
            if entry.app_name == admin_site.name:
                continue
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from _routes(entry.url_patterns, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry.callback


def test_every_url_outside_the_admin_has_one_gate_and_it_is_the_outermost_wrapper():
    routes = list(_routes())
    assert len(routes) > 20
    ungated = [name for name, view in routes if not hasattr(view, "access_gate")]
    assert ungated == []
    # A gate inside another decorator would run after it; a second gate would be a second rule.
    buried = [name for name, view in routes if hasattr(getattr(view, "__wrapped__", None), "access_gate")]
    assert buried == []


def test_the_matrix_above_covers_every_url_behind_a_gate_other_than_public():
    gated = {name for name, view in _routes() if getattr(view, "access_gate", None) != "public"}
    assert gated == {route.name for route in SIGNED_IN_PAGES + EXPERT_PAGES + SECOND_FACTOR_PAGES}


@pytest.mark.parametrize("route", SIGNED_IN_PAGES, ids=str)
def test_a_signed_in_person_without_a_role_gets_404_never_403(records, route):
    url = _url(route, records)
    match = resolve(url)
    request = getattr(RequestFactory(), route.method)(url, route.data or {})
    # No such account can be saved today (a constraint gives every account a role); the gate must
    # not depend on that.
    request.user = User(email="nobody@example.org", role="", is_active=True)
    with pytest.raises(Http404):
        match.func(request, *match.args, **match.kwargs)
