"""The secretariat opens the dashboard from the workspace index and reads its charts and their tables; it finds an
expert by the words of an uploaded CV in the roster list."""

import datetime
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from playwright.sync_api import expect

from roster import services
from tests.factories import (
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
    NeedFactory,
    ShortlistEntryFactory,
    country,
    cv_pdf_bytes,
    expert_profile,
)

pytestmark = pytest.mark.django_db(transaction=True)

WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}


def test_the_secretariat_reads_the_dashboards_charts_and_tables(cast, page, sign_in, live_server):
    kenya, france = country("KEN"), country("FRA")
    experts = [ExpertFactory(nominating_state=kenya), ExpertFactory(nominating_state=france)]
    for expert in experts:
        ExpertLanguageFactory(expert=expert, language_id="en", level=6)
        ExpertArticleFactory(expert=expert, article_id=46, level=3)
    need = NeedFactory(requesting_state=france, working_languages=["fr"], articles=[20])
    ShortlistEntryFactory(need=need, expert=experts[0], status="deployed", deployed_from=timezone.localdate())
    ExpertFactory(nominating_state=france, last_confirmed_at=timezone.now() - datetime.timedelta(days=500))

    sign_in(cast.secretariat.email)
    page.goto(f"{live_server.url}/secretariat/")
    page.get_by_role("link", name="Dashboard").click()
    expect(page).to_have_url(re.compile(r"/secretariat/workspace/dashboard/$"))
    expect(page.get_by_role("heading", name="The roster against the needs")).to_be_visible()

    group_chart = page.get_by_role("img", name="UN regional group").first
    expect(group_chart).to_be_visible()
    groups = page.get_by_role("table", name="UN regional group")
    # One Kenyan and two French experts; the one open need is France's.
    expect(groups.get_by_role("row", name="AFR African States 1 33.3% 0 0.0%")).to_be_visible()
    expect(
        groups.get_by_role("row", name=re.compile("^WEOG Western European and other States 2 66.7% 1 100.0%"))
    ).to_be_visible()

    page.get_by_role("link", name="Coverage gaps").click()
    gaps = page.get_by_role("table", name="Needs with too few qualified experts, by UNCAC article")
    expect(gaps.get_by_role("row", name=re.compile("Illicit enrichment"))).to_contain_text("1")
    expect(page.get_by_role("table", name="The needs with the fewest qualified experts")).to_contain_text(need.title)

    expect(page.get_by_role("img", name="Deployments per regional group and year")).to_be_visible()
    deployments = page.get_by_role("table", name="Deployments per regional group and year")
    expect(deployments.get_by_role("row", name=re.compile(str(timezone.localdate().year)))).to_contain_text("1")
    expect(page.get_by_text("1 active profile not confirmed for more than 365 days.")).to_be_visible()

    results = Axe().run(page, options=WCAG, context={"include": [["#dashboard"]]})
    assert [violation["id"] for violation in results.response["violations"]] == []
    # The charts fit a phone-sized window.
    page.set_viewport_size({"width": 390, "height": 800})
    rights = page.locator("#dashboard svg").evaluate_all("charts => charts.map(c => c.getBoundingClientRect().right)")
    assert max(rights) <= 390


def test_the_secretariat_finds_an_expert_by_the_words_of_the_uploaded_cv(cast, page, sign_in, live_server):
    cv = SimpleUploadedFile("cv.pdf", cv_pdf_bytes("Beneficial ownership registers"))
    services.expert_nominate(by=cast.owner, profile=expert_profile(family_name="Wanjiru"), cv=cv)
    services.expert_nominate(
        by=cast.owner, profile=expert_profile(family_name="Otieno", email="otieno@example.org", summary="Audits")
    )
    sign_in(cast.secretariat.email)
    page.goto(f"{live_server.url}/nominations/")
    page.get_by_label("Words in the summary, posts or CV").fill("beneficial OWNERSHIP")
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_text("1 expert", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Wanjiru, Amina")).to_be_visible()
    expect(page.get_by_role("link", name="Otieno, Amina")).to_have_count(0)
