"""A French-speaking focal point nominates an expert on a phone and on a desktop (issue 12, items 2 and 3): an error
on the first try (the summary links to it), a fourth language added in place, the session ended by the idle timeout
in the middle and the input back after signing in again, then the nomination submitted.

Texts this work added are found by their role and data attributes rather than their words: their French arrives
with the catalogues (translations/forms.json); the page itself is in French throughout."""

import pytest
from playwright.sync_api import expect

from roster.models import Expert
from tests.conftest import PASSWORD
from tests.factories import cv_pdf_bytes

pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)
# Long enough to fill the form between two requests on a loaded machine, short enough to wait for.
IDLE_SECONDS = 25


def _sign_in_in_french(page, live_server, email: str) -> None:
    if "/accounts/login/" not in page.url:
        page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Adresse électronique").fill(email)
    page.get_by_label("Mot de passe").fill(PASSWORD)
    page.get_by_role("button", name="Se connecter").click()


def _tick(page, number: int, level: str) -> None:
    chapter = page.locator("details.chapter", has=page.locator(f"#id_expertise-article-{number}"))
    if chapter.get_attribute("open") is None:
        chapter.locator("summary").click()
    page.locator(f"#id_expertise-article-{number}").check()
    page.locator(f"#id_expertise-level-{number}").select_option(level)


@pytest.mark.parametrize("width", [390, 1280])
def test_a_french_focal_point_nominates_through_an_error_a_fourth_language_and_an_idle_timeout(
    cast, page, live_server, settings, tmp_path, width
):
    settings.SESSION_COOKIE_AGE = IDLE_SECONDS
    page.set_viewport_size({"width": width, "height": 900})
    page.set_extra_http_headers({"Accept-Language": "fr"})
    script_errors: list[str] = []
    page.on("pageerror", lambda error: script_errors.append(str(error)))
    page.on(
        "console",
        lambda message: script_errors.append(message.text) if "Content Security Policy" in message.text else None,
    )
    cv = tmp_path / "CV Aminata Diallo.pdf"
    cv.write_bytes(cv_pdf_bytes("Aminata Diallo, curriculum vitae"))

    _sign_in_in_french(page, live_server, cast.owner.email)
    page.goto(f"{live_server.url}/nominations/new/")
    expect(page.get_by_role("heading", name="Désigner un expert")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    identity = page.get_by_role("group", name="1. Identité et coordonnées")
    identity.get_by_label("Prénom").fill("Aminata")
    identity.get_by_label("Nom de famille").fill("Diallo")
    identity.get_by_label("Genre").select_option("female")
    # The nationality is found by typing in the search field above the list.
    page.locator("#id_profile-nationality-search").fill("keny")
    expect(identity.get_by_label("Nationalité")).to_have_value("KEN")
    identity.get_by_label("Adresse électronique").fill("aminata.diallo@exemple")  # the error of the first try
    page.get_by_label("Secteur :", exact=True).select_option("prosecution")
    page.locator("#id_languages-0-language").select_option("fr")
    page.locator("#id_languages-0-level").select_option("7")
    _tick(page, 46, "3")
    page.get_by_role("button", name="Enregistrer et soumettre pour validation").click()

    # The summary at the top names the error and links to the field.
    summary = page.locator("#form-errors")
    expect(summary).to_be_focused()
    link = summary.get_by_role("link", name="Adresse électronique")
    expect(link).to_contain_text("Saisissez une adresse e-mail valide.")
    link.click()
    email = page.locator("#id_profile-email")
    expect(email).to_be_focused()
    email.fill("aminata.diallo@example.org")

    # Three languages in the three rows, then a fourth row added in place, without leaving the page.
    url = page.url
    for row, (code, level) in enumerate([("en", "6"), ("es", "4")], start=1):
        page.locator(f"#id_languages-{row}-language").select_option(code)
        page.locator(f"#id_languages-{row}-level").select_option(level)
    page.locator("[data-add-row=languages]").click()
    fourth = page.get_by_role("group", name="Langue 4")
    expect(fourth.locator("#id_languages-3-language")).to_be_focused()
    fourth.locator("#id_languages-3-language").select_option("pt")
    fourth.locator("#id_languages-3-level").select_option("3")
    assert page.url == url and page.locator("input[name=languages-TOTAL_FORMS]").input_value() == "4"
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    # The focal point is called away; the session ends for lack of activity and the page says so.
    expect(page.locator(".session-warning")).to_be_visible(timeout=(IDLE_SECONDS + 10) * 1000)
    expect(page.locator("html[data-session-ended]")).to_be_attached(timeout=15_000)
    page.get_by_role("button", name="Enregistrer et soumettre pour validation").click()

    # Sent to sign in, told that the input is kept; after signing in, the form comes back as typed, unsaved.
    expect(page).to_have_url(f"{live_server.url}/accounts/login/?next=/nominations/new/")
    expect(page.get_by_role("status")).to_be_visible()
    assert not Expert.objects.exists()
    _sign_in_in_french(page, live_server, cast.owner.email)
    expect(page).to_have_url(f"{live_server.url}/nominations/new/")
    expect(page.locator(".kept-input")).to_be_visible()
    expect(page.get_by_label("Prénom")).to_have_value("Aminata")
    expect(page.locator("#id_profile-email")).to_have_value("aminata.diallo@example.org")
    expect(page.locator("#id_languages-3-language")).to_have_value("pt")
    expect(page.locator("#id_expertise-article-46")).to_be_checked()
    assert not Expert.objects.exists()

    page.locator("#id_profile-cv").set_input_files(str(cv))
    page.get_by_role("button", name="Enregistrer et soumettre pour validation").click()
    expect(page.get_by_role("heading", name="Aminata Diallo")).to_be_visible()
    expect(page.get_by_text("Soumis pour validation", exact=True)).to_be_visible()
    expert = Expert.objects.get()
    assert expert.status == Expert.Status.SUBMITTED and expert.email == "aminata.diallo@example.org"
    assert sorted(expert.languages.values_list("language_id", flat=True)) == ["en", "es", "fr", "pt"]
    assert list(expert.expertise.values_list("article_id", "level")) == [(46, 3)]
    assert expert.nationality_id == "KEN" and expert.cv_content_type == "application/pdf"
    assert script_errors == []


def test_stay_signed_in_keeps_the_session_going(cast, page, live_server, settings):
    settings.SESSION_COOKIE_AGE = 8
    page.set_extra_http_headers({"Accept-Language": "fr"})
    _sign_in_in_french(page, live_server, cast.owner.email)
    page.goto(f"{live_server.url}/nominations/new/")
    warning = page.locator(".session-warning")
    expect(warning).to_be_visible(timeout=10_000)
    with page.expect_response(lambda response: response.url.endswith("/session/extend/")) as extended:
        warning.get_by_role("button").click()
    assert extended.value.status == 204
    expect(warning).to_be_hidden()
    page.reload()
    expect(page.get_by_role("heading", name="Désigner un expert")).to_be_visible()


def test_a_cv_over_the_limit_is_refused_in_the_browser_in_the_labels_units(cast, page, live_server, settings, tmp_path):
    settings.ROSTER_CV_MAX_BYTES = 1024 * 1024
    page.set_extra_http_headers({"Accept-Language": "fr"})
    big = tmp_path / "gros.pdf"
    big.write_bytes(cv_pdf_bytes() + b"%" * (1024 * 1024 + 200 * 1024))
    _sign_in_in_french(page, live_server, cast.owner.email)
    page.goto(f"{live_server.url}/nominations/new/")
    page.locator("#id_profile-cv").set_input_files(str(big))
    message = page.locator("#id_profile-cv_size_error")
    expect(message).to_be_visible()
    expect(message).to_contain_text("1,2")
    expect(message).to_contain_text(" 1 ")
    assert page.locator("#id_profile-cv").evaluate("input => input.files.length") == 0
