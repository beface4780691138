"""Every page, read in French on a 390 px phone by each role, fits the window: nothing is wider than the
viewport, so nobody scrolls sideways to read a line (issue 12, "Done when"). The pages are the ones the
walk in tests/portal/test_reference_names_walk.py reads, with the same realistic records."""

import pytest
from django.db import transaction
from django.urls import reverse
from playwright.sync_api import Error as PlaywrightError

from matching.models import ShortlistEntry
from matching.runs import assignment_run_perform, assignment_run_start
from matching.shortlists import shortlist_add
from roster.consent import confirmation_request
from tests.walk import admin_urls, expert_link_path, portal_urls, realistic_data_make

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDER_THAN_THE_WINDOW = """() => {
    const limit = window.innerWidth;
    if (document.documentElement.scrollWidth <= limit) return [];
    // What sticks out, to say which element to fix.
    return [...document.querySelectorAll('body *')]
        .filter((el) => el.getBoundingClientRect().right > limit + 1)
        .slice(0, 5)
        .map((el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
            (el.className && typeof el.className === 'string' ? '.' + el.className.split(' ').join('.') : ''));
}"""


def _too_wide(page, base_url: str, urls: list[str]) -> dict[str, list[str]]:
    found = {}
    for url in urls:
        try:
            response = page.goto(f"{base_url}{url}")
        except PlaywrightError:  # an answer without a page to show (a 405 with no body): nothing to lay out
            continue
        if response is None or response.status != 200 or "text/html" not in response.headers.get("content-type", ""):
            continue
        if sticking_out := page.evaluate(WIDER_THAN_THE_WINDOW):
            found[url] = sticking_out
    return found


def _report(found: dict[str, list[str]]) -> str:
    return "wider than 390 px:\n" + "\n".join(f"{url}: {', '.join(elements)}" for url, elements in found.items())


def _in_french_on_a_phone(page, live_server) -> None:
    page.set_viewport_size(PHONE)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])


def test_a_french_focal_point_reads_every_page_on_a_phone(cast, page, sign_in, live_server):
    data = realistic_data_make(cast)
    sign_in(data["focal_point"].email)
    _in_french_on_a_phone(page, live_server)
    found = _too_wide(page, live_server.url, portal_urls(data))
    assert found == {}, _report(found)


def _workspace_record_urls(data: dict) -> list[str]:
    """The workspace's pages of one record, which admin_urls (pages without an id) leaves out: a need's review
    page with its shortlist printed, an assignment run with its proposals, the justification asked before an
    expert's record opens."""
    need, expert = data["need"], data["expert"]
    with transaction.atomic():
        shortlist_add(by=None, need=need, expert=expert, source=ShortlistEntry.Source.RANKING)
    run = assignment_run_perform(run_id=assignment_run_start(by=None, background=False).pk)
    return [
        reverse("admin:review_need", args=[need.pk]),
        reverse("admin:review_shortlist_print", args=[need.pk]),
        reverse("admin:review_record_open", args=[expert.pk]),
        reverse("admin:matching_run_detail", args=[run.pk]),
    ]


def test_a_french_secretariat_officer_reads_every_page_on_a_phone(cast, page, sign_in, live_server):
    data = realistic_data_make(cast)
    sign_in(cast.secretariat.email)
    _in_french_on_a_phone(page, live_server)
    found = _too_wide(page, live_server.url, portal_urls(data) + admin_urls() + _workspace_record_urls(data))
    assert found == {}, _report(found)


def test_a_french_expert_and_an_anonymous_reader_read_every_page_on_a_phone(cast, page, live_server, settings):
    data = realistic_data_make(cast)
    settings.SITE_URL = live_server.url
    _in_french_on_a_phone(page, live_server)
    found = _too_wide(page, live_server.url, portal_urls(data))
    assert found == {}, "anonymous " + _report(found)
    with transaction.atomic():
        confirmation_request(expert=data["link_expert"])
    page.goto(f"{live_server.url}{expert_link_path()}")
    found = _too_wide(page, live_server.url, portal_urls(data))
    assert found == {}, "expert " + _report(found)
