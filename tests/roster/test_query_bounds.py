"""Expert pages make the same number of queries however many parts a profile holds."""

import re

import pytest
from django.core import mail
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from roster.consent import confirmation_request
from tests.factories import (
    EducationFactory,
    EmploymentFactory,
    ExpertArticleFactory,
    ExpertFactory,
    ExpertLanguageFactory,
)

pytestmark = pytest.mark.django_db

LANGUAGES = ["en", "fr", "es", "ar", "ru", "zh", "pt", "de", "it", "sw"]


def _queries(client: Client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _large_costs_no_more(client: Client, view: str, small, large) -> bool:
    small_url, large_url = reverse(view, args=[small.pk]), reverse(view, args=[large.pk])
    _queries(client, small_url)  # warms the per-process caches (content types) that the first request fills
    return _queries(client, large_url) <= _queries(client, small_url)


def _expert(state, parts: int):
    expert = ExpertFactory(nominating_state=state, status="submitted", consent_given_at=None)
    for code in LANGUAGES[:parts]:
        ExpertLanguageFactory(expert=expert, language_id=code, level=5)
    for number in range(15, 15 + 3 * parts):
        ExpertArticleFactory(expert=expert, article_id=number, level=2)
    EmploymentFactory.create_batch(parts, expert=expert)
    EducationFactory.create_batch(parts, expert=expert)
    expert.assistance_types.set(["legal_advice", "onsite_expert"][: min(parts, 2)])
    expert.countries_worked_in.set(["FRA", "BRA", "IND", "POL", "MEX"][: min(parts, 5)])
    return expert


@pytest.fixture
def small_and_large(cast):
    return _expert(cast.owner.state, 1), _expert(cast.owner.state, 10)


@pytest.mark.parametrize("view", ["roster:expert_detail", "roster:expert_edit"])
@pytest.mark.parametrize("who", ["owner", "secretariat"])
def test_expert_pages_do_not_grow_with_the_profile(cast, small_and_large, view, who):
    client = cast.client_for(who)
    small, large = small_and_large
    assert _large_costs_no_more(client, view, small, large)


def test_the_admin_record_does_not_grow_with_the_profile(cast, small_and_large):
    client = cast.client_for("secretariat")
    small, large = small_and_large
    assert _large_costs_no_more(client, "admin:roster_expert_change", small, large)


def test_the_experts_own_page_does_not_grow_with_the_profile(small_and_large, django_capture_on_commit_callbacks):
    counts = []
    for expert in small_and_large:
        with django_capture_on_commit_callbacks(execute=True):
            confirmation_request(expert=expert)
        link = re.search(r"https?://[^/\s]+(/expert/confirm/\S+/)", mail.outbox[-1].body).group(1)
        client = Client()
        client.get(link)
        counts.append(_queries(client, reverse("expert_self:profile")))
    assert counts[1] <= counts[0]


@pytest.mark.parametrize("view", ["roster:expert_nominate", "roster:expert_edit"])
def test_the_cv_template_reads_each_reference_list_once(cast, small_and_large, view, django_assert_max_num_queries):
    # Issue 13, item 3: the country list serves the nationality and both country fields; the language and article
    # lists serve every row of their formsets.
    client = cast.client_for("owner")
    for expert in small_and_large:
        url = reverse(view, args=[expert.pk]) if view == "roster:expert_edit" else reverse(view)
        with django_assert_max_num_queries(20), CaptureQueriesContext(connection) as context:
            assert client.get(url).status_code == 200
        # Whole lists: a read without WHERE (the header's own State is one row, by its key).
        lists = [q["sql"] for q in context.captured_queries if " WHERE " not in q["sql"]]
        for table in ("reference_country", "reference_language", "reference_article"):
            assert sum(f'FROM "{table}"' in sql for sql in lists) == 1, table
