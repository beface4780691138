"""A focal point keeps its State's needs current: edit, cancel, filter the list and download it as CSV."""

import csv
from pathlib import Path

import pytest
from playwright.sync_api import expect

from needs.models import Need
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)


def _open_needs(page) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Needs").click()
    expect(page.get_by_role("heading", name="Technical assistance needs")).to_be_visible()


def test_focal_point_edits_its_need_then_cancels_it(cast, page, sign_in):
    need = NeedFactory(title="Asset declarations system", priority="medium", articles=[8])
    sign_in(cast.owner.email)
    _open_needs(page)
    page.get_by_role("link", name="Asset declarations system").click()
    page.get_by_role("link", name="Change this need").click()

    expect(page.get_by_role("heading", name="Change a need")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Asset declarations system")
    page.get_by_label("Title").fill("Electronic asset declarations system")
    page.get_by_role("radio", name="High").check()
    page.get_by_role("checkbox", name="52. Prevention and detection of transfers of proceeds of crime").check()
    page.get_by_role("button", name="Save changes").click()

    expect(page.get_by_role("status")).to_contain_text("The need has been updated.")
    expect(page.get_by_role("heading", name="Electronic asset declarations system")).to_be_visible()
    expect(page.get_by_text("Priority: High")).to_be_visible()
    expect(page.get_by_text("Article 52, Prevention and detection of transfers of proceeds of crime")).to_be_visible()
    # The history says what the change did, field by field, articles by number.
    change = page.get_by_role("table", name="Changes to this need, latest first").get_by_role("row").nth(1)
    expect(change).to_contain_text("Priority: Medium → High")
    expect(change).to_contain_text("Title: Asset declarations system → Electronic asset declarations system")
    expect(change).to_contain_text(
        "UNCAC articles: 8. Codes of conduct for public officials → 8. Codes of conduct for public officials, "
        "52. Prevention and detection of transfers of proceeds of crime"
    )

    page.get_by_role("button", name="Cancel this need").click()
    expect(page.get_by_role("status")).to_contain_text("The status of the need has been changed.")
    expect(page.get_by_text("Cancelled", exact=True)).to_be_visible()
    cancelled = page.get_by_role("table", name="Changes to this need, latest first").get_by_role("row").nth(1)
    expect(cancelled).to_contain_text("Status: Open → Cancelled")
    expect(page.get_by_role("link", name="Change this need")).to_have_count(0)
    expect(page.get_by_role("button", name="Cancel this need")).to_have_count(0)

    page.get_by_role("link", name="All needs").click()
    expect(page.get_by_role("row").filter(has_text="Electronic asset declarations system")).to_contain_text("Cancelled")
    need.refresh_from_db()
    assert need.status == Need.Status.CANCELLED and need.priority == Need.Priority.HIGH
    assert sorted(need.articles.values_list("pk", flat=True)) == [8, 52]


def test_focal_point_filters_its_needs_and_downloads_them_as_csv(cast, page, sign_in):
    france = cast.focal_point_other_state.state
    NeedFactory(title="Central authority procedures", priority="high", articles=[46])
    NeedFactory(title="Joint investigation teams", priority="high", articles=[46, 49])
    NeedFactory(title="Whistle-blower protection law", priority="low", articles=[33])
    NeedFactory(title="Witness protection programme", priority="medium", articles=[46])
    NeedFactory(title="French need of the same kind", priority="high", articles=[46], requesting_state=france)
    sign_in(cast.owner.email)
    _open_needs(page)
    expect(page.get_by_text("4 needs")).to_be_visible()
    expect(page.get_by_text("French need of the same kind")).to_have_count(0)

    filters = page.get_by_role("search", name="Filter the needs")
    filters.get_by_label("Priority").select_option(label="High")
    filters.get_by_label("Article:", exact=True).select_option(label="46. Mutual legal assistance")
    filters.get_by_role("button", name="Filter").click()

    expect(page.get_by_text("2 needs")).to_be_visible()
    expect(page.get_by_role("link", name="Central authority procedures")).to_be_visible()
    expect(page.get_by_role("link", name="Joint investigation teams")).to_be_visible()
    expect(page.get_by_role("link", name="Whistle-blower protection law")).to_have_count(0)
    expect(page.get_by_role("link", name="Witness protection programme")).to_have_count(0)
    expect(filters.get_by_label("Priority")).to_have_value("high")  # the filters stay as chosen

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these needs as CSV").click()
    download = download_info.value
    assert download.suggested_filename == "needs.csv"
    with Path(download.path()).open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert sorted(row["title"] for row in rows) == ["Central authority procedures", "Joint investigation teams"]
    assert {row["country"] for row in rows} == {"KEN"}
    assert {row["priority"] for row in rows} == {"high"}
    assert all("46" in row["articles"].split(";") for row in rows)

    filters.get_by_role("link", name="Clear").click()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download these needs as CSV").click()
    with Path(download_info.value.path()).open(encoding="utf-8", newline="") as exported:
        rows = list(csv.DictReader(exported))
    assert len(rows) == 4 and {row["country"] for row in rows} == {"KEN"}
    assert "French need of the same kind" not in {row["title"] for row in rows}
