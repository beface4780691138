"""A secretariat member reviews a need: shortlists three experts from its ranking, asks one for availability, the
expert answers through the mailed link, the member selects and deploys them and exports the shortlist; every step
is in the audit trail and on the page."""

import csv
import io
import re
from pathlib import Path

import pytest
from django.core import mail
from playwright.sync_api import expect

from audit.actions import AuditAction
from audit.models import AuditEvent
from matching.models import ShortlistEntry
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, NeedFactory, country

pytestmark = pytest.mark.django_db(transaction=True)

LINK = re.compile(r"https?://[^/\s]+(/availability/\d+/[\w-]+/)")
PEOPLE = [("Amina", "Diallo", "SEN"), ("Lucía", "Fernández", "ARG"), ("Piotr", "Nowak", "POL"), ("Ravi", "Iyer", "IND")]


def _expert(given: str, family: str, iso3: str):
    person = ExpertFactory(
        given_name=given,
        family_name=family,
        nominating_state=country(iso3),
        nationality=country(iso3),
        email=f"{given.lower()}@example.org",
    )
    ExpertArticleFactory(expert=person, article_id=46, level=3)
    ExpertLanguageFactory(expert=person, language_id="en", level=6)
    return person


def test_a_member_shortlists_asks_and_deploys_an_expert_and_exports_the_shortlist(cast, page, sign_in, live_server):
    need = NeedFactory(title="Mutual legal assistance for Kenya", articles=[46], working_languages=["en"])
    experts = [_expert(*person) for person in PEOPLE]
    csp_violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text))

    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Review needs: rankings and shortlists").click()
    page.get_by_role("link", name="Mutual legal assistance for Kenya").click()
    expect(page.get_by_role("heading", name="Ranking")).to_be_visible()

    for person in experts[:3]:
        page.get_by_role("button", name=f"Add {person} to the shortlist").click()
        expect(page.get_by_text(f"{person} added to the shortlist.")).to_be_visible()
    shortlist = page.locator("#shortlist")
    expect(shortlist.get_by_role("row")).to_have_count(4)  # the heading's row and three experts

    amina = shortlist.get_by_role("row").filter(has_text="Amina Diallo")
    amina.get_by_role("button", name="Ask for availability").click()
    expect(page.get_by_text("The availability request has been sent.")).to_be_visible()
    expect(amina).to_contain_text("Contacted")
    (message,) = mail.outbox
    assert message.to == ["amina@example.org"]

    expert_page = page.context.browser.new_context().new_page()
    expert_page.goto(live_server.url + LINK.search(message.body)[1])
    expect(expert_page.get_by_text("Mutual legal assistance for Kenya")).to_be_visible()
    expert_page.get_by_role("radio", name="I am available").check()
    expert_page.get_by_label("Comment (optional): dates, conditions, or why not").fill("Free from 1 March")
    expert_page.get_by_role("button", name="Send my answer").click()
    expect(expert_page.get_by_role("status")).to_contain_text("Your answer is recorded: you are available.")

    page.reload()
    expect(amina).to_contain_text("Available")
    expect(amina).to_contain_text("Free from 1 March")

    amina.get_by_text("Change the status").click()
    amina.get_by_label("New status").select_option(label="Selected")
    amina.get_by_role("button", name="Save the status").click()
    expect(page.get_by_text("The entry's status has been changed.")).to_be_visible()
    amina.get_by_text("Change the status").click()
    amina.get_by_label("New status").select_option(label="Deployed")
    amina.get_by_label("Deployed from").fill("2027-03-01")
    amina.get_by_label("Deployed until").fill("2027-03-12")
    amina.get_by_role("button", name="Save the status").click()
    expect(amina).to_contain_text("Deployed")
    expect(amina).to_contain_text("1 March 2027 – 12 March 2027")

    with page.expect_download() as download:
        page.get_by_role("link", name="Export the shortlist (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(Path(download.value.path()).read_text(encoding="utf-8"))))
    assert [(row["family_name"], row["status"]) for row in rows] == [
        ("Diallo", "deployed"),
        ("Fernández", "proposed"),
        ("Nowak", "proposed"),
    ]

    page.reload()
    history = page.locator("#history")
    for text in [
        "Added to the shortlist",
        "Availability asked by mail",
        "The expert, through the mailed link",
        "Contacted → Available",
        "Available → Selected",
        "Selected → Deployed",
        "Shortlist exported",
    ]:
        expect(history).to_contain_text(text)

    entry = ShortlistEntry.objects.get(need=need, expert=experts[0])
    trail = list(
        AuditEvent.objects.filter(target_type="matching.shortlistentry", target_id=str(entry.pk))
        .order_by("pk")
        .values_list("action", "actor")
    )
    member = cast.secretariat.pk
    assert trail == [
        (AuditAction.SHORTLIST_ADD, member),
        (AuditAction.SHORTLIST_STATUS, member),
        (AuditAction.SHORTLIST_AVAILABILITY_REQUEST, member),
        (AuditAction.SHORTLIST_STATUS, None),  # the expert, through the link
        (AuditAction.SHORTLIST_STATUS, member),
        (AuditAction.SHORTLIST_STATUS, member),
    ]
    assert AuditEvent.objects.filter(action=AuditAction.SHORTLIST_EXPORT, actor=member).count() == 1
    assert csp_violations == []
