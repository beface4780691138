"""The statistics API as a client meets it: shape, disclosure control, the closed grammar."""

import json

import pytest
from django.core.cache import cache

from reference.models import RegionalGroup
from stats import dimensions
from stats.models import StatsSnapshot
from stats.services import stats_refresh
from tests.stats.conftest import make_experts

GROUPS = [code for code, _label in RegionalGroup.choices]


def test_the_response_has_the_documented_shape_and_every_code_in_a_stable_order(roster, api):
    response = api.get("experts", "group_by=regional_group&language=fr")
    assert response.status_code == 200
    body = response.json()
    assert list(body) == ["as_of", "measure", "group_by", "filters", "threshold", "rounding", "total", "rows"]
    assert body["as_of"] == roster.created_at.isoformat().replace("+00:00", "Z")
    assert (body["measure"], body["group_by"], body["filters"]) == ("experts", "regional_group", {"language": "fr"})
    assert (body["threshold"], body["rounding"]) == (10, 5)
    assert [row["key"] for row in body["rows"]] == GROUPS
    assert body["rows"][0] == {"key": "AFR", "label": "African States", "value": 25, "suppressed": False}
    assert all(set(row) == {"key", "label", "value", "suppressed"} for row in body["rows"])


def test_only_active_consenting_unerased_experts_are_counted(roster, api):
    # 4 submitted, 4 without consent and 4 erased experts of Brazil would make a publishable 12.
    body = api.get("experts", "group_by=nationality").json()
    brazil = next(row for row in body["rows"] if row["key"] == "BRA")
    assert brazil == {"key": "BRA", "label": "Brazil", "value": None, "suppressed": True}
    # 23 + 12 + 3 counted: the total is rounded from 38, on its own.
    assert body["total"]["value"] in (35, 40)


def test_a_cell_of_none_and_a_cell_of_nine_are_byte_identical(db, api):
    make_experts(9, nationality="KEN", first_key=1)
    make_experts(20, nationality="FRA", first_key=2)
    stats_refresh()
    nine = api.get("experts", "nationality=KEN").content
    none = api.get("experts", "nationality=DEU").content
    assert nine.replace(b"KEN", b"DEU") == none
    assert json.loads(none)["total"] == {"value": None, "suppressed": True}


def test_every_published_value_is_a_multiple_of_5_within_5_of_the_truth(roster, api):
    truth = {"AFR": 23, "WEOG": 12, "EEG": 3, "APG": 0, "GRULAC": 0}
    for query in [
        "group_by=regional_group",
        "group_by=regional_group&article=46",
        "group_by=regional_group&chapter=IV",
    ]:
        rows = {row["key"]: row for row in api.get("experts", query).json()["rows"]}
        for group, count in truth.items():
            if count < 10:
                assert rows[group]["value"] is None and rows[group]["suppressed"] is True
            else:
                assert rows[group]["value"] % 5 == 0 and abs(rows[group]["value"] - count) < 5


def test_the_same_cell_reads_the_same_across_repeats_orders_shapes_and_restarts(roster, api):
    first = api.get("experts", "group_by=gender&language=fr&regional_group=AFR").json()
    again = api.get("experts", "group_by=gender&language=fr&regional_group=AFR").json()
    reordered = api.get("experts", "regional_group=AFR&group_by=gender&language=fr").json()
    assert first == again == reordered
    # The same cell in another table shape: AFR among French speakers, as a row and as a total.
    as_row = next(
        r for r in api.get("experts", "group_by=regional_group&language=fr").json()["rows"] if r["key"] == "AFR"
    )
    as_total = api.get("experts", "regional_group=AFR&language=fr").json()["total"]
    assert as_total == {"value": as_row["value"], "suppressed": as_row["suppressed"]}
    # A restart: caches gone, the figures counted again into a new snapshot.
    for loader in (dimensions._countries, dimensions._languages, dimensions._articles, dimensions._chapters):
        loader.cache_clear()
    cache.clear()
    stats_refresh()
    assert StatsSnapshot.objects.count() == 1
    restarted = api.get("experts", "language=fr&group_by=gender&regional_group=AFR").json()
    assert {k: v for k, v in restarted.items() if k != "as_of"} == {k: v for k, v in first.items() if k != "as_of"}


def test_totals_are_rounded_on_their_own_not_summed_from_the_rows(db, api):
    # Two groups of 11 and a total of 22, with keys under which each row rounds down to 10 and the total
    # up to 25: a total summed from the rows would say 20.
    make_experts(11, nationality="KEN", first_key=13)
    make_experts(11, nationality="FRA", first_key=13)
    stats_refresh()
    body = api.get("experts", "group_by=regional_group").json()
    rows = {row["key"]: row["value"] for row in body["rows"]}
    assert rows["AFR"] == rows["WEOG"] == 10
    assert body["total"]["value"] == 25


def test_total_minus_the_other_rows_leaves_the_suppressed_row_open(roster, api):
    body = api.get("experts", "group_by=regional_group").json()
    published = [row["value"] for row in body["rows"] if not row["suppressed"]]
    assert len(published) == 2 and sum(1 for row in body["rows"] if row["suppressed"]) == 3
    # What the attacker can say of EEG (3 true) from the total and the two published rows, knowing every true
    # count is within 4 of its published value: the other suppressed rows are 0-9 each.
    low = body["total"]["value"] - 4 - sum(v + 4 for v in published) - 2 * 9
    high = body["total"]["value"] + 4 - sum(v - 4 for v in published)
    candidates = set(range(max(low, 0), min(high, 9) + 1))
    assert 3 in candidates and len(candidates) >= 5


BAD_QUERIES = {
    "junk": "colour=blue",
    "repeated": "language=fr&language=en",
    "repeated group_by": "group_by=gender&group_by=sector",
    "list-valued": "language=fr,en",
    "bracket list": "language[]=fr",
    "empty": "language=",
    "three filters": "language=fr&gender=female&sector=prosecution",
    "unknown code": "language=xx",
    "unknown group_by": "group_by=employer",
    "grouped and filtered": "group_by=language&language=fr",
    "name": "family_name=Smith",
    "e-mail": "email=someone@example.org",
    "employer": "employer=Ministry",
    "id": "id=1",
    "expert id": "expert_id=1",
    "date": "created_at=2026-01-01",
    "date range": "available_from=2026-01-01",
}


@pytest.mark.parametrize("query", BAD_QUERIES.values(), ids=BAD_QUERIES.keys())
def test_anything_outside_the_closed_grammar_is_a_400_whose_message_does_not_depend_on_the_data(db, api, query):
    stats_refresh()
    empty = api.get("experts", query)
    make_experts(12, nationality="KEN", first_key=1)
    stats_refresh()
    populated = api.get("experts", query)
    assert empty.status_code == populated.status_code == 400
    assert empty.content == populated.content
    assert set(empty.json()) == {"detail"}


def test_the_needs_endpoint_breaks_down_needs(db, api):
    from tests.factories import NeedFactory

    for _ in range(11):
        NeedFactory(priority="high")
    stats_refresh()
    body = api.get("needs", "group_by=priority").json()
    assert [row["key"] for row in body["rows"]] == ["high", "medium", "low"]
    assert body["rows"][0]["value"] in (10, 15)
    assert body["rows"][1] == {"key": "medium", "label": "Medium", "value": None, "suppressed": True}
    assert api.get("needs", "gender=female").status_code == 400


def test_before_any_snapshot_the_api_says_so(db, api):
    response = api.get("experts", "group_by=gender")
    assert response.status_code == 503
    assert response.json() == {"detail": "Statistics are not available yet."}


def test_a_total_that_would_pin_its_suppressed_rows_is_withheld_in_every_table(db, api):
    # Nine Kenyan experts of each of the four genders, with keys summing to 6 modulo 256: the total of 36 would be
    # published as 40, and four rows of at most 9 holding 36 to 44 people are 9 each. The total is withheld
    # instead, as a total and as the KEN row of the breakdown by nationality alike.
    for first_key, gender in enumerate(("female", "male", "other", "undisclosed")):
        make_experts(9, nationality="KEN", gender=gender, first_key=first_key)
    stats_refresh()
    by_gender = api.get("experts", "group_by=gender&nationality=KEN").json()
    assert by_gender["total"] == {"value": None, "suppressed": True}
    assert all(row["suppressed"] for row in by_gender["rows"])
    by_nationality = api.get("experts", "group_by=nationality").json()
    assert next(row for row in by_nationality["rows"] if row["key"] == "KEN")["suppressed"]
    assert api.get("experts", "nationality=KEN").json()["total"]["suppressed"]


def test_a_repeated_request_is_answered_from_the_shared_cache_without_the_database(
    roster, api, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        first = api.get("experts", "group_by=gender&language=fr")
    with django_assert_num_queries(0):
        again = api.get("experts", "group_by=gender&language=fr")
    assert again.json() == first.json()
    # Another language is another answer (translated labels): the latest snapshot is read, its published cells
    # come from the cache, and the cells already charged are not charged again.
    with django_assert_num_queries(1):
        in_french = api.get("experts", "group_by=gender&language=fr", HTTP_ACCEPT_LANGUAGE="fr")
    assert [row["value"] for row in in_french.json()["rows"]] == [row["value"] for row in first.json()["rows"]]


def test_a_new_snapshot_retires_every_cached_answer(db, api, django_capture_on_commit_callbacks):
    make_experts(12, nationality="KEN", first_key=3)
    stats_refresh()
    with django_capture_on_commit_callbacks(execute=True):
        assert api.get("experts", "nationality=KEN").json()["total"] == {"value": 10, "suppressed": False}
    make_experts(20, nationality="KEN", first_key=40)
    stats_refresh()
    assert api.get("experts", "nationality=KEN").json()["total"]["value"] in (30, 35)
