"""A focal point keeps its State's experts current: edit, confirm, withdraw, and a save over a colleague's change."""

import datetime

import pytest
from django.utils import formats, timezone
from playwright.sync_api import expect

from roster.models import Expert
from tests.conftest import PASSWORD
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _active_expert(**fields) -> Expert:
    expert = ExpertFactory(status=Expert.Status.ACTIVE, **fields)
    ExpertLanguageFactory(expert=expert, language_id="en", level=6)
    ExpertArticleFactory(expert=expert, article_id=46, level=3)
    return expert


def _open_expert(page, name: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts", exact=True).click()
    page.get_by_role("link", name=name).click()


def test_editing_an_active_expert_awaits_validation_while_the_expert_stays_active(cast, page, sign_in):
    expert = _active_expert(given_name="Achieng", family_name="Odhiambo")
    sign_in(cast.owner.email)
    _open_expert(page, "Odhiambo, Achieng")
    expect(page.get_by_role("heading", name="Achieng Odhiambo")).to_be_visible()
    page.get_by_role("link", name="Edit", exact=True).click()

    expect(page.get_by_role("heading", name="Edit the profile of Achieng Odhiambo")).to_be_visible()
    expect(page.get_by_text("This expert is active. Your changes will be sent to the secretariat")).to_be_visible()
    expect(page.get_by_role("button", name="Save and submit for validation")).to_have_count(0)
    new_language = page.get_by_role("group", name="Language 2")
    new_language.get_by_label("Language:", exact=True).select_option(label="French")
    new_language.get_by_label("Level").select_option(label="B2")
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Changes saved. Achieng Odhiambo stays on the roster while the secretariat validates them."
    )
    expect(page.get_by_text("Active", exact=True)).to_be_visible()
    expect(page.get_by_text("Changes awaiting validation; the expert stays on the roster meanwhile")).to_be_visible()
    expect(page.get_by_text("French: B2")).to_be_visible()
    expect(page.get_by_text("English: C2")).to_be_visible()

    page.get_by_role("link", name="All experts").click()
    row = page.get_by_role("row").filter(has_text="Odhiambo, Achieng")
    expect(row).to_contain_text("Active")
    expect(row).to_contain_text("changes awaiting validation")
    expect(row).to_contain_text("fr B2")

    expert.refresh_from_db()
    assert expert.status == Expert.Status.ACTIVE and expert.revalidation_pending
    assert sorted(expert.languages.values_list("language_id", flat=True)) == ["en", "fr"]


def test_focal_point_confirms_a_stale_expert_as_still_current(cast, page, sign_in):
    long_ago = timezone.now() - datetime.timedelta(days=3 * 365)
    expert = _active_expert(given_name="Baraka", family_name="Mwangi", last_confirmed_at=long_ago)
    sign_in(cast.owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts", exact=True).click()
    expect(page.get_by_role("row").filter(has_text="Mwangi, Baraka")).to_contain_text("stale")
    page.get_by_role("link", name="Mwangi, Baraka").click()
    expect(page.get_by_text("Stale: not confirmed as current since")).to_be_visible()

    page.get_by_role("button", name="Confirm still current").click()

    expect(page.get_by_role("status").first).to_contain_text(
        "Thank you: the profile of Baraka Mwangi is confirmed as current."
    )
    expect(page.get_by_text("Stale: not confirmed as current since")).to_have_count(0)
    today = formats.date_format(timezone.localdate(), "DATE_FORMAT")
    expect(page.get_by_role("definition").filter(has_text=today).first).to_be_visible()
    expert.refresh_from_db()
    assert expert.last_confirmed_at > long_ago and expert.status == Expert.Status.ACTIVE


def test_focal_point_withdraws_an_expert_after_the_confirmation_page(cast, page, sign_in):
    expert = _active_expert(given_name="Chebet", family_name="Kiprono")
    sign_in(cast.owner.email)
    _open_expert(page, "Kiprono, Chebet")

    page.get_by_role("link", name="Withdraw").click()
    expect(page.get_by_role("heading", name="Withdraw Chebet Kiprono from the roster?")).to_be_visible()
    page.get_by_role("link", name="Cancel").click()  # changing one's mind leaves the expert as they were
    expect(page.get_by_role("heading", name="Chebet Kiprono")).to_be_visible()
    expert.refresh_from_db()
    assert expert.status == Expert.Status.ACTIVE

    page.get_by_role("link", name="Withdraw").click()
    page.get_by_label("Reason (optional, seen by the secretariat)").fill("Retired from public service.")
    page.get_by_role("button", name="Withdraw").click()

    expect(page.get_by_role("status").first).to_contain_text("Chebet Kiprono is withdrawn from the roster.")
    expect(page.get_by_text("Withdrawn", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Edit", exact=True)).to_have_count(0)
    expect(page.get_by_role("link", name="Withdraw")).to_have_count(0)
    expert.refresh_from_db()
    assert expert.status == Expert.Status.WITHDRAWN


def test_a_colleague_of_the_same_state_opens_the_expert_and_another_state_cannot(cast, page, sign_in):
    _active_expert(given_name="Daudi", family_name="Njoroge")
    sign_in(cast.colleague_same_state.email)
    _open_expert(page, "Njoroge, Daudi")
    expect(page.get_by_role("heading", name="Daudi Njoroge")).to_be_visible()
    expert_url = page.url
    expect(page.get_by_role("link", name="Edit", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="46. Mutual legal assistance")).to_be_visible()

    page.get_by_role("button", name="Sign out").click()
    sign_in(cast.focal_point_other_state.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts", exact=True).click()
    expect(page.get_by_role("link", name="Njoroge, Daudi")).to_have_count(0)
    response = page.goto(expert_url)
    assert response.status == 404
    expect(page.get_by_text("Daudi Njoroge")).to_have_count(0)


def test_a_save_over_a_colleagues_newer_change_is_refused_and_keeps_what_was_typed(
    cast, page, sign_in, browser, live_server
):
    expert = _active_expert(given_name="Esther", family_name="Wambui", current_position="Senior prosecutor")
    sign_in(cast.owner.email)
    _open_expert(page, "Wambui, Esther")
    page.get_by_role("link", name="Edit", exact=True).click()
    expect(page.get_by_role("heading", name="Edit the profile of Esther Wambui")).to_be_visible()

    # Meanwhile the colleague, in a browser of their own, saves a change to the same profile.
    colleague = browser.new_context()
    try:
        other = colleague.new_page()
        other.goto(f"{live_server.url}/accounts/login/")
        other.get_by_label("E-mail address").fill(cast.colleague_same_state.email)
        other.get_by_label("Password").fill(PASSWORD)
        other.get_by_role("button", name="Sign in").click()
        _open_expert(other, "Wambui, Esther")
        other.get_by_role("link", name="Edit", exact=True).click()
        other_post = other.get_by_role("group", name="2. Current post")
        other_post.get_by_label("Employer").fill("Ethics and Anti-Corruption Commission")
        other.get_by_role("button", name="Save changes").click()
        expect(other.get_by_role("status").first).to_contain_text("Changes saved.")
    finally:
        colleague.close()

    post = page.get_by_role("group", name="2. Current post")
    post.get_by_label("Current post").fill("Deputy Director of Public Prosecutions")
    post.get_by_label("Years of experience").fill("15")
    page.get_by_role("button", name="Save changes").click()

    alert = page.get_by_role("alert").first
    expect(alert).to_contain_text("Someone else changed this profile after you opened it; your changes were not saved.")
    expect(page.get_by_role("link", name="Open the current profile in a new tab")).to_be_visible()
    post = page.get_by_role("group", name="2. Current post")
    expect(post.get_by_label("Current post")).to_have_value("Deputy Director of Public Prosecutions")
    expect(post.get_by_label("Years of experience")).to_have_value("15")
    expect(post.get_by_label("Employer")).to_have_value("Ethics and Anti-Corruption Commission")
    expert.refresh_from_db()
    assert expert.current_position == "Senior prosecutor"
    assert expert.employer == "Ethics and Anti-Corruption Commission"

    # Having looked, the focal point saves again, now over the latest version.
    page.get_by_role("button", name="Save changes").click()
    expect(page.get_by_role("status").first).to_contain_text("Changes saved.")
    expect(page.get_by_text("Deputy Director of Public Prosecutions")).to_be_visible()
    expert.refresh_from_db()
    assert expert.current_position == "Deputy Director of Public Prosecutions" and expert.years_experience == 15
    assert expert.employer == "Ethics and Anti-Corruption Commission"  # the colleague's change survives too
