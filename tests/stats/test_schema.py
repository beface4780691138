"""The published schema, its documentation page, and the API fuzzed from the schema (schemathesis)."""

from collections.abc import Iterator

import pytest
import schemathesis
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.specs.openapi.checks import positive_data_acceptance

from stats.authentication import ApiClientRateThrottle
from stats.services import api_client_create, stats_refresh
from tests.stats.conftest import make_experts


def test_the_schema_is_served_to_anyone_and_names_the_endpoints(client):
    response = client.get("/api/v1/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert response.status_code == 200
    schema = response.json()
    assert {"/api/v1/stats/experts/", "/api/v1/stats/needs/", "/api/v1/stats/coverage/"} <= set(schema["paths"])
    experts = schema["paths"]["/api/v1/stats/experts/"]["get"]
    assert {p["name"] for p in experts["parameters"]} == {
        "group_by",
        "regional_group",
        "nationality",
        "article",
        "chapter",
        "language",
        "gender",
        "sector",
        "legal_system",
        "assistance_type",
    }
    assert schema["components"]["securitySchemes"]["apiClientToken"]["name"] == "Authorization"


def test_the_documentation_page_is_served_by_the_portal_without_any_cdn(client):
    page = client.get("/api/v1/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js" in html
    assert "http://" not in html and "https://" not in html and "//cdn" not in html
    script = client.get("/api/v1/docs/?script=")
    assert script.status_code == 200 and "/api/v1/schema/" in script.content.decode()
    assert client.get("/static/drf_spectacular_sidecar/swagger-ui-dist/swagger-ui-bundle.js").status_code == 200


def _served_schema() -> dict:
    from drf_spectacular.generators import SchemaGenerator

    return SchemaGenerator().get_schema(request=None, public=True)


# Loaded when the tests are collected (Django is set up by then); requests go to the portal's WSGI application.
fuzzed = schemathesis.openapi.from_dict(_served_schema())
fuzzed.app = WSGIHandler()


@pytest.fixture
def fuzz_key(db, monkeypatch) -> Iterator[str]:
    """A key, figures to read, and an application that answers in this test's transaction."""
    # As Django's own test client does: a request must not close the connection holding the test's transaction.
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        cache.clear()
        monkeypatch.setattr(ApiClientRateThrottle, "THROTTLE_RATES", {"stats_client": "100000/min"})
        make_experts(12, nationality="KEN", language="fr", first_key=3)
        stats_refresh()
        yield api_client_create(name="Fuzzer", days=1, daily_cell_quota=10_000_000)[1]
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


@fuzzed.parametrize()
@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
def test_fuzzed_requests_never_fail_and_always_match_the_schema(case, fuzz_key):
    # OpenAPI cannot say "at most two of these filters", nor list the reference tables' codes in the patterns'
    # place, so a request valid for the schema may rightly be a 400: every other check applies.
    case.call_and_validate(headers={"Authorization": f"Token {fuzz_key}"}, excluded_checks=[positive_data_acceptance])
