"""On a phone: the menu folds behind one button, and statuses keep their words next to their colours."""

import pytest
from playwright.sync_api import expect

from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_focal_point_on_a_phone_opens_the_folded_menu_and_reads_statuses_in_colour_and_words(
    cast, page, sign_in, state_a
):
    ExpertFactory(nominating_state=state_a, family_name="Otieno", given_name="Ann", status="changes_requested")
    page.set_viewport_size({"width": 390, "height": 800})
    sign_in(cast.owner.email)
    menu = page.get_by_role("navigation", name="Main")
    experts = menu.get_by_role("link", name="Experts", exact=True)
    expect(experts).to_be_hidden()
    menu.get_by_text("Menu").click()
    experts.click()
    badge = page.get_by_role("row").filter(has_text="Otieno, Ann").locator(".status-changes_requested")
    expect(badge).to_have_text("Changes requested")
    colour = badge.evaluate("element => getComputedStyle(element).backgroundColor")
    plain = page.evaluate(
        "() => { const s = document.createElement('span'); s.className = 'status'; document.body.append(s);"
        " const c = getComputedStyle(s).backgroundColor; s.remove(); return c; }"
    )
    assert colour != plain
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")

    page.set_viewport_size({"width": 1280, "height": 800})
    expect(menu.get_by_role("link", name="Needs", exact=True)).to_be_visible()
    expect(menu.get_by_text("Menu")).to_be_hidden()
