"""Coverage: open needs with at least N qualified experts, as matching counts them, under disclosure control."""

import pytest

from matching.services import coverage_counts
from stats.services import stats_refresh
from tests.factories import NeedFactory
from tests.stats.conftest import make_experts


@pytest.fixture
def covered(db):
    """12 open needs of Kenya citing article 46 in English, and 3 French experts holding article 46 in English."""
    for _ in range(12):
        NeedFactory()
    NeedFactory(status="cancelled")
    make_experts(3, nationality="FRA", language="en", article=46, first_key=5)
    return stats_refresh()


@pytest.mark.parametrize("group_by", ["chapter", "article", "regional_group", "language"])
@pytest.mark.parametrize("min_experts", [1, 3, 5])
def test_coverage_publishes_matchings_counts_under_the_same_rules(covered, api, group_by, min_experts):
    response = api.get("coverage", f"group_by={group_by}&min_experts={min_experts}")
    assert response.status_code == 200
    body = response.json()
    assert body["filters"] == {"min_experts": str(min_experts)}
    truth = coverage_counts(min_experts=min_experts, group_by=group_by)
    for row in body["rows"]:
        count = truth.get(row["key"], 0)
        if count < 10:
            assert row == {"key": row["key"], "label": row["label"], "value": None, "suppressed": True}
        else:
            assert row["value"] % 5 == 0 and abs(row["value"] - count) < 5
    total = coverage_counts(min_experts=min_experts)["total"]
    assert (body["total"]["value"] is None) == (total < 10)


def test_twelve_needs_with_three_qualified_experts_read_as_about_twelve_up_to_three_and_none_at_five(covered, api):
    assert api.get("coverage", "min_experts=3").json()["total"]["value"] in (10, 15)
    assert api.get("coverage", "min_experts=5").json()["total"] == {"value": None, "suppressed": True}


@pytest.mark.parametrize("query", ["min_experts=2", "min_experts=1&language=en", "group_by=gender", "min_experts="])
def test_coverage_accepts_only_its_grammar(covered, api, query):
    assert api.get("coverage", query).status_code == 400
