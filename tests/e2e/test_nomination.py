"""A focal point nominates an expert online and the secretariat validates the nomination."""

import re

import pytest
from playwright.sync_api import expect

from roster.models import Expert
from tests.factories import cv_pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)


def test_focal_point_nominates_and_submits_then_the_secretariat_validates(cast, page, sign_in, live_server, tmp_path):
    cv = tmp_path / "Wanjiru Kamau CV.pdf"
    cv.write_bytes(cv_pdf_bytes("Wanjiru Kamau, curriculum vitae"))
    csp_violations: list[str] = []
    page.on(
        "console",
        lambda message: csp_violations.append(message.text) if "Content Security Policy" in message.text else None,
    )

    sign_in(cast.owner.email)
    page.get_by_role("link", name="Experts", exact=True).click()
    page.get_by_role("link", name="Nominate an expert").click()
    expect(page.get_by_role("heading", name="Nominate an expert")).to_be_visible()

    identity = page.get_by_role("group", name="1. Identity and contact")
    identity.get_by_label("Given name").fill("Wanjiru")
    identity.get_by_label("Family name").fill("Kamau")
    identity.get_by_label("Gender").select_option(label="Female")
    identity.get_by_label("Nationality").select_option(label="Kenya")
    identity.get_by_label("E-mail address").fill("wanjiru.kamau@example.org")

    post = page.get_by_role("group", name="2. Current post")
    post.get_by_label("Current post").fill("Head of asset recovery")
    post.get_by_label("Sector").select_option(label="Anti-corruption body")
    post.get_by_label("Years of experience").fill("14")

    first_language = page.get_by_role("group", name="Language 1")
    first_language.get_by_label("Language:", exact=True).select_option(label="English")
    first_language.get_by_label("Level").select_option(label="C2")
    second_language = page.get_by_role("group", name="Language 2")
    second_language.get_by_label("Language:", exact=True).select_option(label="Swahili")
    second_language.get_by_label("Level").select_option(label="Native")

    articles = [
        ("51. General provision", "Expert"),
        ("52. Prevention and detection of transfers of proceeds of crime", "Experienced"),
        ("46. Mutual legal assistance", "Knowledgeable"),
    ]
    expertise = page.get_by_role("group", name="4. Expertise in UNCAC articles")
    for article, level in articles:
        number = article.split(".")[0]
        chapter = expertise.locator("details.chapter", has=page.locator(f"#id_expertise-article-{number}"))
        if chapter.get_attribute("open") is None:
            chapter.locator("summary").click()
        expertise.get_by_label(article, exact=True).check()
        expertise.get_by_label(f"Level for article {number}").select_option(label=level)

    availability = page.get_by_role("group", name="8. Availability")
    availability.get_by_label("Days available per year").fill("30")
    page.get_by_label("CV (PDF, DOCX or ODT, at most 5 MB)").set_input_files(str(cv))
    page.get_by_role("button", name="Save and submit for validation").click()

    expect(page.get_by_role("heading", name="Wanjiru Kamau")).to_be_visible()
    expect(page.get_by_role("status").first).to_contain_text("Saved and submitted to the secretariat for validation")
    expect(page.get_by_text("Submitted for validation", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Download Wanjiru Kamau CV.pdf")).to_be_visible()
    expert = Expert.objects.get(email="wanjiru.kamau@example.org")
    assert expert.status == Expert.Status.SUBMITTED
    assert sorted(expert.languages.values_list("language_id", flat=True)) == ["en", "sw"]
    assert sorted(expert.expertise.values_list("article_id", flat=True)) == [46, 51, 52]
    assert expert.cv_content_type == "application/pdf"

    page.get_by_role("button", name="Sign out").click()
    sign_in(cast.secretariat.email)
    page.get_by_role("link", name="Secretariat", exact=True).click()
    page.get_by_role("link", name="Experts").click()
    page.get_by_role("checkbox", name=re.compile("Wanjiru Kamau")).check()
    page.get_by_role("combobox", name="Action").select_option(label="Validate")
    page.get_by_role("button", name="Run").click()
    expect(page.get_by_text("1 expert(s) validated.")).to_be_visible()

    expert.refresh_from_db()
    assert expert.status == Expert.Status.ACTIVE and expert.version == 3
    assert csp_violations == []
