import re

import pytest
from playwright.sync_api import expect

from needs.models import Need
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_focal_point_records_a_need_sees_it_listed_and_cannot_open_another_states_need(
    cast, page, sign_in, live_server
):
    other_states_need = NeedFactory(requesting_state=cast.focal_point_other_state.state, title="Need of France")
    csp_violations: list[str] = []
    page.on("console", lambda m: "Content Security Policy" in m.text and csp_violations.append(m.text))
    sign_in(cast.owner.email)
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Needs").click()
    expect(page.get_by_role("heading", name="Technical assistance needs")).to_be_visible()
    page.get_by_role("link", name="Record a need").click()

    page.get_by_label("Title").fill("Central authority for mutual legal assistance")
    page.get_by_role("checkbox", name="46. Mutual legal assistance").check()
    page.get_by_role("checkbox", name="48. Law enforcement cooperation").check()
    page.get_by_label("Type of assistance").select_option(label="Legal advice or legislative drafting")
    page.get_by_role("checkbox", name="French", exact=True).check()
    page.get_by_role("radio", name="High").check()
    page.get_by_label("Source reference").fill("CAC/COSP/IRG/I/1/1/Add.9, para. 31")
    page.get_by_role("button", name="Record the need").click()

    expect(page.get_by_role("status")).to_contain_text("The need has been recorded.")
    expect(page.get_by_role("heading", name="Central authority for mutual legal assistance")).to_be_visible()
    expect(page.get_by_text("Article 46, Mutual legal assistance (chapter IV)")).to_be_visible()
    need = Need.objects.get(title="Central authority for mutual legal assistance")
    assert need.requesting_state_id == cast.owner.state_id
    assert sorted(need.articles.values_list("pk", flat=True)) == [46, 48]
    assert list(need.working_languages.values_list("pk", flat=True)) == ["fr"]

    page.get_by_role("link", name="All needs").click()
    row = page.get_by_role("row").filter(has_text="Central authority for mutual legal assistance")
    expect(row).to_contain_text("46, 48")
    expect(row).to_contain_text("French")
    expect(page.get_by_text("Need of France")).to_have_count(0)

    assert csp_violations == []

    response = page.goto(f"{live_server.url}/needs/{other_states_need.pk}/")
    assert response.status == 404
    expect(page.get_by_text("Need of France")).to_have_count(0)
    expect(page.locator("body")).to_contain_text(re.compile("not found", re.IGNORECASE))
