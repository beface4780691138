"""The portal's pages pass axe-core's automated accessibility rules (WCAG 2 A and AA) in Chromium."""

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def _violations(page) -> list[str]:
    results = Axe().run(page, options=WCAG)
    assert results.response["passes"], "axe-core ran no rule on this page"
    return [
        f"{violation['id']} ({violation['impact']}): {violation['help']} at "
        + ", ".join(node["target"][0] for node in violation["nodes"][:3])
        for violation in results.response["violations"]
    ]


def test_sign_in_page_is_accessible(page, live_server):
    page.goto(f"{live_server.url}/accounts/login/")
    assert _violations(page) == []


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_public_home_page_and_the_privacy_notice_are_accessible(page, live_server, language):
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    found = {}
    for path in ["/", "/privacy/"]:
        page.goto(f"{live_server.url}{path}")
        if problems := _violations(page):
            found[path] = problems
    assert found == {}


def test_focal_point_pages_are_accessible(cast, page, sign_in, live_server):
    expert = ExpertFactory(nominating_state=cast.owner.state)
    ExpertLanguageFactory(expert=expert)
    ExpertArticleFactory(expert=expert)
    need = NeedFactory(requesting_state=cast.owner.state)
    sign_in(cast.owner.email)
    found = {}
    for path in [
        "/",
        "/nominations/",
        "/nominations/new/",
        f"/nominations/{expert.pk}/",
        f"/nominations/{expert.pk}/edit/",
        "/needs/",
        "/needs/new/",
        f"/needs/{need.pk}/",
        f"/needs/{need.pk}/edit/",
        "/accounts/password/change/",
    ]:
        page.goto(f"{live_server.url}{path}")
        if problems := _violations(page):
            found[path] = problems
    assert found == {}


def test_the_experts_own_page_and_the_not_found_page_are_accessible(cast, page, live_server, settings):
    import re

    from django.core import mail
    from django.db import transaction

    from roster.consent import confirmation_request

    settings.SITE_URL = live_server.url
    expert = ExpertFactory(nominating_state=cast.owner.state, status="submitted", consent_given_at=None)
    with transaction.atomic():
        confirmation_request(expert=expert)
    page.goto(re.search(r"http://\S+/expert/confirm/\S+/", mail.outbox[-1].body).group(0))
    assert _violations(page) == []
    page.goto(f"{live_server.url}/no-such-page/")
    assert _violations(page) == []
