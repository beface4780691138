"""A small roster whose true counts the tests know, a snapshot of it, and a client with a key."""

import pytest
from django.core.cache import cache
from django.test import Client

from stats.services import api_client_create, stats_refresh
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, country

# Distinctive, so that a response carrying any of them would be caught.
SECRET_NAME = "Zebulon"
SECRET_FAMILY = "Quaternion-Oyelaran"
SECRET_EMPLOYER = "Ministry of Unlikely Affairs"


def make_experts(
    count: int,
    *,
    nationality: str,
    language: str = "en",
    article: int = 46,
    gender: str = "female",
    first_key: int = 0,
    **fields,
):
    """`count` active, consenting experts; their secret keys spread over 0-255 from `first_key`, reproducibly."""
    experts = []
    for index in range(count):
        expert = ExpertFactory(
            nominating_state=country(nationality),
            gender=gender,
            cell_key=(first_key + 37 * index) % 256,
            given_name=SECRET_NAME,
            family_name=f"{SECRET_FAMILY}{index}",
            email=f"zebulon.{nationality.lower()}.{first_key}.{index}@unlikely.example.org",
            employer=SECRET_EMPLOYER,
            external_id=f"EXT-{nationality}-{first_key}-{index}",
            **fields,
        )
        ExpertLanguageFactory(expert=expert, language_id=language)
        ExpertArticleFactory(expert=expert, article_id=article)
        experts.append(expert)
    return experts


@pytest.fixture
def roster(db):
    """KEN (AFR) 23 experts, FRA (WEOG) 12, POL (EEG) 3, and people who must never be counted."""
    make_experts(23, nationality="KEN", language="fr", first_key=11)
    make_experts(12, nationality="FRA", language="fr", gender="male", first_key=101)
    make_experts(3, nationality="POL", first_key=7)
    make_experts(4, nationality="BRA", first_key=3, status="submitted")
    make_experts(4, nationality="BRA", first_key=5, consent_given_at=None)
    make_experts(4, nationality="BRA", first_key=9, erased_at="2026-01-01T00:00:00Z")
    return stats_refresh()


@pytest.fixture
def api_key(db) -> str:
    cache.clear()
    _client, key = api_client_create(name="Research partner", days=30, daily_cell_quota=100_000)
    return key


class ApiClient:
    def __init__(self, key: str) -> None:
        self.key = key
        self.http = Client()

    def get(self, path: str, query: str = "", **headers):
        url = f"/api/v1/stats/{path}/" + (f"?{query}" if query else "")
        return self.http.get(url, HTTP_AUTHORIZATION=f"Token {self.key}", **headers)


@pytest.fixture
def api(api_key) -> ApiClient:
    return ApiClient(api_key)
