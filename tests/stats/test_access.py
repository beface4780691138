"""Who may read the statistics, how much, and what never leaves the portal through them."""

import io
import json
import re
from contextlib import redirect_stdout
from datetime import timedelta

import pytest
from django.core.cache import cache
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from roster.models import Expert
from stats.authentication import ApiClientRateThrottle
from stats.dimensions import DIMENSIONS
from stats.models import ApiClient, ApiClientDay
from stats.services import api_client_create, stats_refresh
from tests.factories import NeedFactory
from tests.stats.conftest import SECRET_EMPLOYER, SECRET_FAMILY, SECRET_NAME
from tests.stats.conftest import ApiClient as Caller


def test_create_api_client_prints_a_key_once_that_works_and_is_stored_only_hashed(roster, run_manage):
    cache.clear()
    out = io.StringIO()
    with redirect_stdout(out):
        assert run_manage("create_api_client", "Donor of the year") == 0
    key = out.getvalue().strip().splitlines()[-1]
    client = ApiClient.objects.get(name="Donor of the year")
    assert client.expiry_date > timezone.now() + timedelta(days=364)
    assert Caller(key).get("experts", "group_by=gender").status_code == 200
    # Nothing stored holds the key itself.
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM stats_apiclient")
        assert not any(key in str(column) for row in cursor.fetchall() for column in row)
    event = AuditEvent.objects.get(action="api_client.create")
    assert key not in json.dumps(event.details) and key.split(".")[1] not in str(event.__dict__)
    # The same name twice is refused.
    assert run_manage("create_api_client", "Donor of the year") != 0


@pytest.mark.parametrize(
    "authorization",
    [None, "", "Token", "Token not-a-key", "Bearer x", "Token a b", "Api-Key x"],
    ids=["none", "empty", "no key", "unknown key", "other scheme", "two words", "library's own scheme"],
)
def test_without_a_valid_key_the_answer_is_401(roster, api_key, client, authorization):
    headers = {} if authorization is None else {"HTTP_AUTHORIZATION": authorization}
    response = client.get("/api/v1/stats/experts/?group_by=gender", **headers)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"


def test_a_revoked_key_stops_working_at_once(roster, api, run_manage):
    assert api.get("experts").status_code == 200
    assert run_manage("revoke_api_client", "Research partner") == 0
    assert api.get("experts").status_code == 401
    assert AuditEvent.objects.filter(action="api_client.revoke").count() == 1


def test_an_expired_key_stops_working(roster, api):
    ApiClient.objects.update(expiry_date=timezone.now() - timedelta(seconds=1))
    assert api.get("experts").status_code == 401


def test_past_the_daily_quota_of_distinct_cells_the_answer_is_429_and_nothing_is_counted(roster):
    cache.clear()
    _client, key = api_client_create(name="Small quota", days=1, daily_cell_quota=14)
    caller = Caller(key)
    assert caller.get("experts", "group_by=regional_group").status_code == 200  # 6 cells: total and 5 groups
    assert caller.get("experts", "group_by=regional_group").status_code == 200  # the same cells cost nothing
    assert caller.get("experts", "regional_group=AFR").status_code == 200  # a cell already answered, as a total
    assert ApiClientDay.objects.get().cells_used == 6
    assert caller.get("experts", "group_by=gender").status_code == 200  # the total is known: 6 + 4 = 10
    refused = caller.get("experts", "group_by=regional_group&language=fr")  # 10 + 6 > 14
    assert refused.status_code == 429
    assert refused.json() == {"detail": "This key's quota of distinct cells for today is used up."}
    assert ApiClientDay.objects.get().cells_used == 10
    assert caller.get("experts", "language=fr").status_code == 200  # 11, still within
    assert ApiClientDay.objects.get().cells_used == 11


def test_the_quota_holds_when_answered_cells_are_recognised_from_the_shared_cache(
    roster, django_capture_on_commit_callbacks
):
    # As above, with each request's transaction committed, so that the cache notes the cells charged.
    cache.clear()
    caller = Caller(api_client_create(name="Small quota", days=1, daily_cell_quota=14)[1])

    def status(query: str) -> int:
        with django_capture_on_commit_callbacks(execute=True):
            return caller.get("experts", query).status_code

    assert status("group_by=regional_group") == status("group_by=regional_group") == 200
    assert status("regional_group=AFR") == 200
    assert status("group_by=gender") == 200
    assert ApiClientDay.objects.get().cells_used == 10
    assert status("group_by=regional_group&language=fr") == 429
    assert status("group_by=regional_group") == 200  # charged before: recognised from the cache, costs nothing
    assert ApiClientDay.objects.get().cells_used == 10
    assert status("language=fr") == 200
    assert status("group_by=sector") == 429  # 11 + 12 new cells > 14, whatever the cache holds
    assert ApiClientDay.objects.get().cells_used == 11


def test_throttling_counts_each_clients_requests_in_the_shared_cache(roster, monkeypatch):
    cache.clear()
    monkeypatch.setattr(ApiClientRateThrottle, "THROTTLE_RATES", {"stats_client": "3/min"})
    first = Caller(api_client_create(name="First", days=1, daily_cell_quota=1000)[1])
    second = Caller(api_client_create(name="Second", days=1, daily_cell_quota=1000)[1])
    assert [first.get("experts").status_code for _ in range(4)] == [200, 200, 200, 429]
    assert second.get("experts").status_code == 200


def test_no_response_ever_carries_a_name_an_e_mail_an_id_or_a_key(roster, api):
    needs = [NeedFactory(title=f"Confidential need title {i}") for i in range(12)]
    stats_refresh()
    experts = list(Expert.objects.all())
    forbidden_text = {SECRET_NAME, SECRET_FAMILY, SECRET_EMPLOYER, api.key, api.key.split(".")[0], "@"}
    forbidden_text |= {e.email for e in experts} | {e.external_id for e in experts} | {n.title for n in needs}
    forbidden_fields = {"id", "pk", "expert", "need", "name", "email", "count", "key_sum", "cell_key", "members"}
    queries = [("experts", ""), ("needs", "")]
    queries += [(measure, f"group_by={d.name}") for measure in ("experts", "needs") for d in DIMENSIONS[measure]]
    queries += [("experts", "group_by=gender&nationality=KEN&language=fr"), ("experts", "name=Zebulon")]

    def fields(value):
        if isinstance(value, dict):
            for name, inner in value.items():
                yield name
                yield from fields(inner)
        elif isinstance(value, list):
            for inner in value:
                yield from fields(inner)

    for measure, query in queries:
        response = api.get(measure, query)
        text = response.content.decode()
        assert not any(secret in text for secret in forbidden_text), (measure, query)
        assert not forbidden_fields & set(fields(response.json())), (measure, query)
        # Keys of rows are public codes, never record numbers: every digit-only key is an article number.
        for row in response.json().get("rows", []):
            assert not re.fullmatch(r"\d+", row["key"]) or 1 <= int(row["key"]) <= 71


def test_the_secretariat_revokes_a_key_from_the_restricted_admin(roster, api, cast):
    secretariat = cast.client_for("secretariat")
    page = secretariat.get("/secretariat/stats/apiclient/")
    assert page.status_code == 200 and "Research partner" in page.content.decode()
    assert api.key.split(".")[1] not in page.content.decode()
    client = ApiClient.objects.get()
    response = secretariat.post(
        "/secretariat/stats/apiclient/", {"action": "revoke", "_selected_action": [client.pk], "index": "0"}
    )
    assert response.status_code == 302
    assert ApiClient.objects.get().revoked
    assert AuditEvent.objects.get(action="api_client.revoke").actor == cast.secretariat
    assert api.get("experts").status_code == 401
