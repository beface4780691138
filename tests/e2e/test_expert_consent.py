"""The expert's own flow, as a person would do it: open the link from the mail, download, confirm and consent."""

import json
import re
from pathlib import Path

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from roster.consent import confirmation_request
from roster.models import Expert
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_expert_downloads_confirms_consents_and_the_link_then_says_it_is_used(page, live_server):
    expert = ExpertFactory(
        status=Expert.Status.SUBMITTED,
        consent_given_at=None,
        consent_text_version="",
        last_confirmed_at=None,
        given_name="Wanjiru",
        family_name="Kamau",
        email="wanjiru.kamau@example.org",
    )
    ExpertLanguageFactory(expert=expert, language_id="en", level=7)
    ExpertLanguageFactory(expert=expert, language_id="fr", level=4)
    ExpertArticleFactory(expert=expert, article_id=46, level=3)
    with transaction.atomic():
        confirmation_request(expert=expert)
    (message,) = mail.outbox
    assert message.to == ["wanjiru.kamau@example.org"]
    link = live_server.url + re.search(r"/expert/confirm/\S+/", message.body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Your profile on the UNCAC expert roster")).to_be_visible()
    expect(page.get_by_text("Wanjiru Kamau")).to_be_visible()
    expect(page.get_by_text("French: B2")).to_be_visible()
    expect(page.get_by_text("Consent text, version 2026-1.")).to_be_visible()

    with page.expect_download() as download_info:
        page.get_by_role("button", name="Download my data").click()
    data = json.loads(Path(download_info.value.path()).read_text(encoding="utf-8"))
    assert data["given_name"] == "Wanjiru" and data["consent_text_version"] == ""
    assert {item["code"] for item in data["languages"]} == {"en", "fr"}
    assert "cell_key" not in data

    page.get_by_label("My profile above is correct, and I consent").check()
    page.get_by_role("button", name="Confirm my profile and give consent").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(page.get_by_role("status")).to_contain_text("your consent is recorded")
    expect(page.get_by_text("Wanjiru")).to_have_count(0)  # the session ended with the link

    page.goto(link)
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("already been used")

    expert.refresh_from_db()
    assert expert.consent_given_at is not None and expert.confirmation_requested_at is None
