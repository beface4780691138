"""On PostgreSQL the secretariat's list, name search and duplicate check are served by indexes, not full scans."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roster.duplicates import expert_possible_duplicates
from roster.models import Expert
from tests.factories import ExpertFactory, country

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="the trigram and functional indexes and the plans are PostgreSQL's; SQLite keeps plain scans",
    ),
]

INDEXES = {"expert_list_order", "expert_email_folded", "expert_name_key_trgm"}


@pytest.fixture
def roster(cast):
    kenya = country("KEN")
    Expert.objects.bulk_create(
        ExpertFactory.build(nominating_state=kenya, nationality=kenya, email=f"expert{i}@example.org")
        for i in range(400)
    )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE roster_expert")


def _expert_query(client, params: dict[str, str]) -> str:
    """The SQL of the list's page of experts, as the secretariat's request sent it."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("roster:expert_list"), params).status_code == 200
    selects = [q["sql"] for q in queries if 'FROM "roster_expert"' in q["sql"] and "LIMIT" in q["sql"]]
    assert len(selects) == 1, [q["sql"] for q in queries]
    return selects[0]


def _plan(sql: str, params: list[object] | None = None, *, bitmap_only: bool = False) -> str:
    with connection.cursor() as cursor:
        # A few hundred rows fit in a page or two, where a scan is cheapest; forbid it to see what can be used.
        cursor.execute("SET LOCAL enable_seqscan = off")
        # A GIN index is read by bitmap only, and on so few rows reading a whole b-tree costs about as little.
        cursor.execute(f"SET LOCAL enable_indexscan = {'off' if bitmap_only else 'on'}")
        cursor.execute(f"EXPLAIN {sql}", params)
        return "\n".join(row[0] for row in cursor.fetchall())


def test_the_indexes_exist():
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE tablename = 'roster_expert'")
        assert {row[0] for row in cursor.fetchall()} >= INDEXES


def test_the_secretariat_list_reads_its_first_page_in_index_order(cast, roster):
    plan = _plan(_expert_query(cast.client_for("secretariat"), {}))
    assert "expert_list_order" in plan, plan
    assert "Sort" not in plan.split("expert_list_order")[0], plan


def test_name_search_uses_the_trigram_index(cast, roster):
    plan = _plan(_expert_query(cast.client_for("secretariat"), {"q": "ramirez"}), bitmap_only=True)
    assert "expert_name_key_trgm" in plan, plan


def test_the_duplicate_check_uses_the_folded_email_index(roster):
    query = expert_possible_duplicates(
        given_name="José", family_name="Ramírez", nationality_id="KEN", email="Expert7@Example.org"
    )
    sql, params = query.query.sql_with_params()
    plan = _plan(sql, list(params))
    assert "expert_email_folded" in plan, plan
    assert [e.email for e in query] == ["expert7@example.org"]


def _admin_query(client, params: dict[str, str]) -> str:
    """The SQL of the admin's page of experts (the changelist), as the secretariat's request sent it: the page's
    slice, or the whole result when it fits on one page."""
    with CaptureQueriesContext(connection) as queries:
        assert client.get(reverse("admin:roster_expert_changelist"), params).status_code == 200
    selects = [
        q["sql"]
        for q in queries
        if 'FROM "roster_expert"' in q["sql"]
        and "COUNT(" not in q["sql"]
        and '"roster_expert"."given_name"' in q["sql"]
    ]
    assert len(selects) == 1, [q["sql"] for q in queries]
    return selects[0]


def _limited_in_index_order(plan: str) -> bool:
    """Whether the rows under the plan's LIMIT come straight from the list's index, with no sort between."""
    lines = plan.splitlines()
    at = next(index for index, line in enumerate(lines) if "expert_list_order" in line)
    limit = max(index for index in range(at) if "Limit" in lines[index])
    return not any("Sort" in line for line in lines[limit:at])


def test_the_admin_list_reads_its_first_page_in_index_order(cast, roster):
    plan = _plan(_admin_query(cast.client_for("secretariat"), {}))
    assert _limited_in_index_order(plan), plan


@pytest.mark.parametrize(
    ("list_query", "params"), [(_expert_query, {"page": "10"}), (_admin_query, {"p": "5"})], ids=["roster", "admin"]
)
def test_a_far_page_finds_its_rows_on_the_index_and_joins_only_them(cast, roster, list_query, params):
    plan = _plan(list_query(cast.client_for("secretariat"), params))
    # The page's ids come from the index (a sliced subquery), then only those rows are read and joined.
    assert _limited_in_index_order(plan), plan
    assert "Index Only Scan using expert_list_order" in plan or "Index Scan using expert_list_order" in plan, plan


def test_the_admin_search_uses_the_trigram_and_email_indexes(cast, roster):
    plan = _plan(_admin_query(cast.client_for("secretariat"), {"q": "ramirez"}), bitmap_only=True)
    assert "expert_name_key_trgm" in plan, plan
    assert "expert_email_folded" in plan, plan
