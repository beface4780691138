"""A secretariat officer imports a State's list of experts as the ministry keeps it in Excel (French settings:
semicolons, Windows-1252): downloads the template, sees how the file was read and what each row would do, and
nothing is saved until the import is confirmed (issue 12, item 7)."""

import csv
import io

import pytest
from playwright.sync_api import expect

from roster.imports import COLUMNS, OPTIONAL_COLUMNS
from roster.models import Expert
from tests.factories import expert_import_row

pytestmark = pytest.mark.django_db(transaction=True)


def _excel_csv(rows: list[dict[str, str]]) -> bytes:
    text = io.StringIO()
    writer = csv.DictWriter(text, fieldnames=COLUMNS, delimiter=";", lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    return text.getvalue().encode("cp1252")


def test_secretariat_downloads_the_template_previews_then_imports_experts(cast, page, sign_in, tmp_path):
    bad = tmp_path / "experts-bad.csv"
    bad.write_bytes(_excel_csv([expert_import_row(1, given_name="Hélène"), expert_import_row(2, languages="en:Z9")]))
    good = tmp_path / "experts.csv"
    good.write_bytes(_excel_csv([expert_import_row(1, given_name="Hélène"), expert_import_row(2)]))
    sign_in(cast.secretariat.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Experts").click()
    page.get_by_role("link", name="Import experts from a CSV file").click()

    with page.expect_download() as download:
        page.get_by_role("link", name="Download an empty template with the columns").click()
    header = download.value.path().read_bytes().decode("utf-8-sig").splitlines()[0]
    assert header.split(",") == [*COLUMNS, *OPTIONAL_COLUMNS]

    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Read as Windows-1252 text, columns separated by semicolons (;).")).to_be_visible()
    expect(page.get_by_role("alert")).to_contain_text("nothing will be imported")
    expect(page.get_by_text("row 3, languages:")).to_be_visible()

    page.get_by_role("link", name="Correct the file and upload it again").click()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Read as Windows-1252 text, columns separated by semicolons (;).")).to_be_visible()
    expect(page.get_by_text("Step 2 of 2: 2 to create, 0 to update, 0 unchanged.")).to_be_visible()
    expect(page.get_by_role("table", name="What the import will do")).to_contain_text("Family1, Hélène")
    assert not Expert.objects.exists()  # a preview writes nothing

    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_text("Imported: 2 created, 0 updated, 0 unchanged.")).to_be_visible()
    assert Expert.objects.get(external_id="KEN-00001").given_name == "Hélène"
