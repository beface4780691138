"""The public statistics page: the API's figures as a chart and a table, in the portal's languages."""

import re

import pytest

from stats.services import stats_refresh
from tests.stats.conftest import SECRET_FAMILY, SECRET_NAME


def test_anyone_reads_the_figures_as_a_drawn_chart_and_a_table_of_the_same_values(roster, client, api):
    page = client.get("/statistics/?measure=experts&group_by=regional_group")
    assert page.status_code == 200
    html = page.content.decode()
    assert re.search(r'<svg[^>]+role="img"[^>]+aria-labelledby="stats-chart-title stats-chart-desc"', html)
    assert "<caption>Experts</caption>" in html
    api_rows = api.get("experts", "group_by=regional_group").json()["rows"]
    for row in api_rows:
        cell = str(row["value"]) if not row["suppressed"] else "fewer than the threshold"
        assert f'<th scope="row">{row["label"]}</th><td>{cell}</td>' in html
    # Drawn by the server, nothing fetched from elsewhere, nothing personal.
    assert "<script" not in html and "https://" not in html
    assert SECRET_NAME not in html and SECRET_FAMILY not in html


def test_the_page_and_the_api_speak_the_visitors_language(roster, client, api):
    page = client.get("/statistics/?measure=experts&group_by=regional_group", HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    html = page.content.decode()
    assert '<html lang="fr">' in html and "États d&#x27;Afrique" in html
    labels = [
        row["label"] for row in api.get("experts", "group_by=regional_group", HTTP_ACCEPT_LANGUAGE="fr").json()["rows"]
    ]
    assert labels[0] == "États d'Afrique"


def test_before_any_snapshot_the_page_says_so(db, client):
    assert "Statistics are not available yet." in client.get("/statistics/").content.decode()


@pytest.mark.parametrize(
    "query",
    ["measure=coverage", "measure=people", "group_by=employer", "group_by=gender&language=fr", "nationality=KEN"],
)
def test_the_page_offers_one_breakdown_and_no_filters(db, client, query):
    stats_refresh()
    assert client.get(f"/statistics/?{query}").status_code == 400
