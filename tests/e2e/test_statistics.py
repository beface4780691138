"""A reader of the public statistics page, in French, changes the breakdown and reads the figures."""

import re

import pytest
from playwright.sync_api import expect

from stats.services import stats_refresh
from tests.factories import ExpertFactory, country

pytestmark = pytest.mark.django_db(transaction=True)


def _count(page, key: str):
    """The count cell of the table row whose code is `key`."""
    row = page.get_by_role("table").get_by_role("row").filter(has=page.get_by_role("cell", name=key, exact=True))
    return row.get_by_role("cell").last


def test_a_french_reader_breaks_the_roster_down_by_gender_and_sees_small_counts_withheld(page, live_server):
    for _ in range(23):
        ExpertFactory(nominating_state=country("KEN"), gender="female")
    for _ in range(3):
        ExpertFactory(nominating_state=country("FRA"), gender="male")
    stats_refresh()

    page.set_extra_http_headers({"Accept-Language": "fr"})
    page.goto(f"{live_server.url}/statistics/")
    expect(page.get_by_role("heading", level=1)).to_contain_text("Statistiques")
    expect(_count(page, "AFR")).to_have_text(re.compile(r"^(20|25)$"))
    expect(_count(page, "WEOG")).to_have_text("inférieur au seuil")

    page.get_by_label("Ventilé par").select_option("gender")
    page.get_by_role("button", name="Afficher").click()
    expect(page).to_have_url(re.compile(r"group_by=gender"))
    expect(_count(page, "female")).to_have_text(re.compile(r"^(20|25)$"))
    expect(_count(page, "male")).to_have_text("inférieur au seuil")
    # The chart is drawn by the server and stays inside a phone's width.
    page.set_viewport_size({"width": 390, "height": 800})
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
