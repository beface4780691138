import pytest
from playwright.sync_api import expect

from needs.imports import COLUMNS
from needs.models import Need

pytestmark = pytest.mark.django_db(transaction=True)

GOOD_ROW = (
    "IRG-KEN-1,KEN,46;48,legal_advice,en;fr,high,Central authority,Set up a central authority,"
    "review_report,CAC/COSP/IRG/I/1/1/Add.9 para. 31,1"
)


def test_secretariat_previews_then_imports_a_csv_of_needs(cast, page, sign_in, tmp_path):
    bad = tmp_path / "bad.csv"
    bad.write_text(",".join(COLUMNS) + "\n" + GOOD_ROW + "\n" + GOOD_ROW.replace("IRG-KEN-1,KEN", "IRG-X-2,ZZZ") + "\n")
    good = tmp_path / "needs.csv"
    good.write_text(",".join(COLUMNS) + "\n" + GOOD_ROW + "\n")
    sign_in(cast.secretariat.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Needs").click()
    page.get_by_role("link", name="Import needs from a CSV file").click()

    page.get_by_label("CSV file").set_input_files(str(bad))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_role("alert")).to_contain_text("nothing will be imported")
    expect(page.get_by_text("row 3, country:")).to_be_visible()
    assert not Need.objects.exists()

    page.get_by_role("link", name="Correct the file and upload it again").click()
    page.get_by_label("CSV file").set_input_files(str(good))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_text("Step 2 of 2: 1 to create, 0 to update, 0 unchanged.")).to_be_visible()
    assert not Need.objects.exists()  # a preview writes nothing
    page.get_by_role("button", name="Confirm and import").click()
    expect(page.get_by_text("Imported: 1 created, 0 updated, 0 unchanged.")).to_be_visible()
    need = Need.objects.get(external_id="IRG-KEN-1")
    assert need.requesting_state_id == "KEN" and sorted(need.articles.values_list("pk", flat=True)) == [46, 48]
