"""The expert, from the link in their mail, has their personal data erased; the focal point sees an anonymous record."""

import re

import pytest
from django.core import mail
from django.db import transaction
from playwright.sync_api import expect

from roster.consent import confirmation_request
from roster.models import Expert
from tests.factories import EmploymentFactory, ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_expert_asks_for_erasure_and_the_focal_points_list_shows_the_record_anonymised(
    cast, page, sign_in, live_server
):
    expert = ExpertFactory(
        given_name="Imani",
        family_name="Chege",
        email="imani.chege@example.org",
        phone="+254 700 000 000",
        employer="Kenya Anti-Corruption Agency",
    )
    ExpertLanguageFactory(expert=expert, language_id="sw", level=7)
    ExpertArticleFactory(expert=expert, article_id=46, level=3)
    EmploymentFactory(expert=expert, employer="Ministry of Justice")
    with transaction.atomic():
        confirmation_request(expert=expert)
    (message,) = mail.outbox
    link = live_server.url + re.search(r"/expert/confirm/\S+/", message.body).group(0)

    page.goto(link)
    expect(page.get_by_role("heading", name="Your profile on the UNCAC expert roster")).to_be_visible()
    expect(page.get_by_text("Imani Chege")).to_be_visible()
    box = page.get_by_label("I understand that my personal data will be erased for good")
    page.get_by_role("button", name="Erase my personal data").click()  # not without ticking the box
    assert box.evaluate("field => field.validity.valueMissing")
    expert.refresh_from_db()
    assert expert.erased_at is None

    box.check()
    page.get_by_role("button", name="Erase my personal data").click()
    expect(page.get_by_role("heading", name="Your personal data has been erased")).to_be_visible()

    page.goto(link)  # the link is spent along with the data
    expect(page.get_by_role("heading", name="This link no longer works")).to_be_visible()
    expect(page.get_by_text("Imani")).to_have_count(0)

    sign_in(cast.owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts", exact=True).click()
    # Shown as "Erased expert", not as the pseudonym the row keeps (changed on purpose with issue 12, item 8).
    row = page.get_by_role("row").filter(has_text="Erased expert")
    expect(row).to_contain_text("Withdrawn")
    expect(row).to_contain_text("sw Native")  # the anonymous aggregates stay
    expect(page.get_by_text("Imani")).to_have_count(0)
    expect(page.get_by_text("Chege")).to_have_count(0)

    row.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Erased expert")).to_be_visible()
    expect(page.get_by_text(f"erased-{expert.pk}")).to_have_count(0)
    main = page.get_by_role("main")
    for gone in (
        "Imani",
        "Chege",
        "imani.chege@example.org",
        "+254 700 000 000",
        "Ministry of Justice",
        "Kenya Anti-Corruption Agency",
    ):
        expect(main).not_to_contain_text(gone)
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)

    expert.refresh_from_db()
    assert expert.status == Expert.Status.WITHDRAWN and expert.erased_at is not None
    assert expert.given_name == "" and expert.email == "" and not expert.employment.exists()
