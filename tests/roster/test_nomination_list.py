"""The roster list: search and filters that mean what they say, in a bounded number of queries."""

import datetime

import pytest
from django.urls import reverse
from django.utils import formats, timezone

from roster.models import Expert
from tests.factories import ExpertArticleFactory, ExpertFactory, ExpertLanguageFactory, country
from tests.second_factor import SECOND_FACTOR_QUERIES

pytestmark = pytest.mark.django_db


def _roster(n: int, state: str = "KEN") -> list[Expert]:
    experts = []
    for i in range(n):
        expert = ExpertFactory(nominating_state=country(state), family_name=f"Family{i:03d}")
        ExpertLanguageFactory(expert=expert, language_id="en", level=6)
        ExpertLanguageFactory(expert=expert, language_id="fr", level=3)
        ExpertArticleFactory(expert=expert, article_id=46, level=3)
        ExpertArticleFactory(expert=expert, article_id=15, level=2)
        experts.append(expert)
    return experts


def _names(response) -> set[str]:
    return {e.family_name for e in response.context["page"].object_list}


@pytest.mark.parametrize("who", ["owner", "secretariat"])
def test_the_list_makes_the_same_few_queries_for_3_or_30_experts(cast, django_assert_max_num_queries, who):
    client = cast.client_for(who)
    client.get(reverse("roster:expert_list"))  # the session is warm, as for any person mid-visit
    _roster(3)
    with django_assert_max_num_queries(11 + (SECOND_FACTOR_QUERIES if who == "secretariat" else 0)) as small:
        response = client.get(reverse("roster:expert_list"), {"language": "en", "min_level": "5", "articles": ["46"]})
    assert len(response.context["page"].object_list) == 3
    _roster(27)
    with django_assert_max_num_queries(len(small.captured_queries)) as large:
        response = client.get(reverse("roster:expert_list"), {"language": "en", "min_level": "5", "articles": ["46"]})
    assert len(response.context["page"].object_list) == 25  # one page
    assert len(large.captured_queries) == len(small.captured_queries)
    body = response.content.decode()
    assert "en C2" in body and "fr B1" in body and "15, 46" in body  # the prefetched parts are shown


def test_the_list_pages_by_25_and_keeps_the_filters_in_the_page_links(cast):
    _roster(30)
    client = cast.client_for("owner")
    first = client.get(reverse("roster:expert_list"), {"sector": "prosecution"})
    assert len(first.context["page"].object_list) == 25 and "30 experts" in first.content.decode()
    assert "?sector=prosecution&amp;page=2" in first.content.decode()
    second = client.get(reverse("roster:expert_list"), {"sector": "prosecution", "page": "2"})
    assert len(second.context["page"].object_list) == 5


def test_ticking_several_articles_finds_experts_holding_all_of_them(cast):
    both = ExpertFactory(family_name="Both")
    ExpertArticleFactory(expert=both, article_id=15)
    ExpertArticleFactory(expert=both, article_id=16)
    only_15 = ExpertFactory(family_name="Only15")
    ExpertArticleFactory(expert=only_15, article_id=15)
    client = cast.client_for("owner")
    assert _names(client.get(reverse("roster:expert_list"), {"articles": ["15", "16"]})) == {"Both"}
    assert _names(client.get(reverse("roster:expert_list"), {"articles": ["15"]})) == {"Both", "Only15"}


def test_a_language_with_a_minimum_level(cast):
    fluent, beginner, native = (ExpertFactory(family_name=n) for n in ("Fluent", "Beginner", "Native"))
    ExpertLanguageFactory(expert=fluent, language_id="fr", level=5)
    ExpertLanguageFactory(expert=beginner, language_id="fr", level=2)
    ExpertLanguageFactory(expert=native, language_id="fr", level=7)
    ExpertLanguageFactory(expert=beginner, language_id="en", level=7)
    client = cast.client_for("owner")
    at_least_c1 = client.get(reverse("roster:expert_list"), {"language": "fr", "min_level": "5"})
    assert _names(at_least_c1) == {"Fluent", "Native"}
    assert _names(client.get(reverse("roster:expert_list"), {"language": "fr"})) == {"Fluent", "Beginner", "Native"}


def test_a_chapter_finds_experts_with_any_article_in_it(cast):
    chapter_v = ExpertFactory(family_name="Recovery")
    ExpertArticleFactory(expert=chapter_v, article_id=51)
    chapter_iii = ExpertFactory(family_name="Bribery")
    ExpertArticleFactory(expert=chapter_iii, article_id=15)
    assert _names(cast.client_for("owner").get(reverse("roster:expert_list"), {"chapter": "V"})) == {"Recovery"}


def test_search_by_name_ignores_case_and_accents(cast):
    ExpertFactory(given_name="José", family_name="Ramírez")
    ExpertFactory(given_name="Amina", family_name="Odhiambo")
    client = cast.client_for("owner")
    for query in ("ramírez", "RAMIREZ", "jose ramirez", "José"):
        assert _names(client.get(reverse("roster:expert_list"), {"q": query})) == {"Ramírez"}, query


def test_search_by_a_name_in_another_script_compares_it_as_typed(cast):
    ExpertFactory(given_name="伟", family_name="王")
    ExpertFactory(given_name="Amina", family_name="Odhiambo")
    assert _names(cast.client_for("owner").get(reverse("roster:expert_list"), {"q": "王"})) == {"王"}


def test_status_and_sector_filters(cast):
    ExpertFactory(family_name="Judge", sector="judiciary", status="active")
    ExpertFactory(family_name="Draft", sector="judiciary", status="draft")
    ExpertFactory(family_name="Auditor", sector="audit", status="active")
    client = cast.client_for("owner")
    assert _names(client.get(reverse("roster:expert_list"), {"status": "active", "sector": "judiciary"})) == {"Judge"}


def test_availability_on_a_date_and_by_mode(cast):
    ExpertFactory(family_name="Open")
    ExpertFactory(
        family_name="Later", available_from=datetime.date(2027, 1, 1), available_until=datetime.date(2027, 12, 31)
    )
    ExpertFactory(family_name="RemoteOnly", on_site=False)
    client = cast.client_for("owner")
    on_date = _names(client.get(reverse("roster:expert_list"), {"available_on": "2026-06-01"}))
    assert on_date == {"Open", "RemoteOnly"}
    assert "Later" in _names(client.get(reverse("roster:expert_list"), {"available_on": "2027-06-01"}))
    assert "RemoteOnly" not in _names(client.get(reverse("roster:expert_list"), {"mode": "on_site"}))


def test_a_focal_point_cannot_widen_the_list_to_another_state_by_filtering(cast):
    ExpertFactory(nominating_state=country("FRA"), family_name="French")
    ExpertFactory(family_name="Kenyan")
    client = cast.client_for("owner")
    assert _names(client.get(reverse("roster:expert_list"), {"nominating_state": "FRA"})) == {"Kenyan"}
    assert _names(client.get(reverse("roster:expert_list"))) == {"Kenyan"}
    assert _names(cast.client_for("secretariat").get(reverse("roster:expert_list"), {"nominating_state": "FRA"})) == {
        "French"
    }


def test_bad_filter_input_is_shown_and_the_list_stays_empty_rather_than_unfiltered(cast):
    ExpertFactory(family_name="Kenyan")
    response = cast.client_for("owner").get(reverse("roster:expert_list"), {"available_on": "not a date"})
    assert response.status_code == 200
    assert "Some filters could not be used" in response.content.decode()
    assert _names(response) == set()


def test_a_profile_not_confirmed_for_twelve_months_is_flagged_stale_in_the_list_and_on_its_page(cast):
    long_ago = timezone.now() - datetime.timedelta(days=400)
    stale = ExpertFactory(family_name="Forgotten", last_confirmed_at=long_ago)
    ExpertFactory(family_name="Fresh")
    client = cast.client_for("owner")
    rows = {e.family_name: e.is_stale for e in client.get(reverse("roster:expert_list")).context["page"].object_list}
    assert rows == {"Forgotten": True, "Fresh": False}
    assert _names(client.get(reverse("roster:expert_list"), {"stale": "true"})) == {"Forgotten"}
    assert _names(client.get(reverse("roster:expert_list"), {"stale": "false"})) == {"Fresh"}
    body = client.get(reverse("roster:expert_detail", args=[stale.pk])).content.decode()
    assert f"Stale: not confirmed as current since {formats.date_format(long_ago, 'DATE_FORMAT')}" in body
    client.post(reverse("roster:expert_confirm", args=[stale.pk]))
    assert "Stale:" not in client.get(reverse("roster:expert_detail", args=[stale.pk])).content.decode()
