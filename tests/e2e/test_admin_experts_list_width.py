"""The secretariat's experts list shows every column, status and consent included, without clipping on a 1280 px
screen in French, the language with the longest headers (issue 12, item 6): no column sits past the right edge of
the list's box or of the window, so nothing is found only by scrolling sideways."""

import pytest

from tests.walk import realistic_data_make

pytestmark = pytest.mark.django_db(transaction=True)

COLUMNS_PAST_THE_EDGE = """() => {
    const box = document.querySelector('#changelist .results').getBoundingClientRect();
    const edge = Math.min(box.right, window.innerWidth);
    return [...document.querySelectorAll('#result_list thead th')]
        .filter((th) => th.getBoundingClientRect().right > edge + 1)
        .map((th) => th.className + ': ' + th.innerText.trim());
}"""


@pytest.mark.parametrize("language", ["fr", "es", "en"])
def test_the_experts_list_fits_a_1280_px_screen(cast, page, sign_in, live_server, language):
    realistic_data_make(cast)
    sign_in(cast.secretariat.email)
    page.context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page.set_viewport_size({"width": 1280, "height": 900})
    page.goto(f"{live_server.url}/secretariat/roster/expert/")
    headers = page.locator("#result_list thead th")
    assert headers.count() >= 8
    classes = " ".join(headers.evaluate_all("(ths) => ths.map((th) => th.className)"))
    assert "column-status_shown" in classes and "column-consent" in classes
    assert page.evaluate(COLUMNS_PAST_THE_EDGE) == []
