"""On a phone a list's filters fold away above the results behind one button, and come unfolded when one is in
use; on a wide screen they are always shown (issue 12, item 8). Without any script: a checkbox does it."""

import re

import pytest
from playwright.sync_api import expect

from tests.walk import realistic_data_make

pytestmark = pytest.mark.django_db(transaction=True)

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1280, "height": 900}


@pytest.mark.parametrize(
    "path, field, value",
    [("/nominations/", "Secteur", "Ministère public"), ("/needs/", "Priorité", "Élevée")],
)
def test_a_french_focal_point_unfolds_the_filters_on_a_phone(cast, page, sign_in, live_server, path, field, value):
    data = realistic_data_make(cast)
    sign_in(data["focal_point"].email)
    page.context.add_cookies([{"name": "django_language", "value": "fr", "url": live_server.url}])
    page.set_viewport_size(PHONE)
    page.goto(f"{live_server.url}{path}")
    filters = page.get_by_role("search")
    expect(filters).to_be_hidden()
    expect(page.get_by_role("table")).to_be_visible()  # the results come first

    page.get_by_text("Filtres", exact=True).click()
    expect(filters).to_be_visible()
    filters.get_by_label(re.compile(rf"^{field}")).select_option(label=value)
    filters.get_by_role("button").first.click()
    # A filter in use: the page comes back with the filters unfolded, showing what is applied.
    expect(page.get_by_role("search")).to_be_visible()
    chosen = page.get_by_role("search").get_by_label(re.compile(rf"^{field}")).locator("option:checked")
    expect(chosen).to_have_text(value)

    page.goto(f"{live_server.url}{path}")
    expect(page.get_by_role("search")).to_be_hidden()
    page.set_viewport_size(WIDE)
    expect(page.get_by_role("search")).to_be_visible()
    expect(page.get_by_text("Filtres", exact=True)).to_be_hidden()
