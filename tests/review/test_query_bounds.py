"""The review page and its exports read a fixed number of queries whatever the roster's or the shortlist's size."""

import pytest
from django.urls import reverse

from matching.models import MatchingPolicy
from matching.pins import assignment_pin_set
from matching.shortlists import shortlist_add, shortlist_status_set
from review.services import review_rank
from tests.review.conftest import ranked_expert

pytestmark = pytest.mark.django_db

# Counted at 22 on SQLite: session, user and the second factor's device and group (4), the admin's permissions (2),
# need with its articles and languages (3), the policies (1), ranking and candidates (2), filter's languages (1),
# shortlist (removed entries included, for the history's names) with legal systems, links and reminders (4), legal
# system names (1), the pins for assignment runs with their experts and authors (1), history (1), the session's save
# (3, at most once a minute: 19 without it); 23 with a language filter, which reads the language it names. Another
# policy's ranking beside it adds its snapshot and candidates (2). None grows with the roster, the shortlist or the
# pins.
PAGE_QUERIES = 23
COMPARE_QUERIES = PAGE_QUERIES + 2
# Counted at 13 for the printed page: session, user, second factor (4), need, the shortlist with its experts, the
# audit row (with its savepoints, 3), the admin's permissions (2), the session's save (3); the CSV has no permissions.
EXPORT_QUERIES = 14


def _roster(cast, need, *, experts: int, shortlisted: int) -> None:
    people = [ranked_expert(("FRA", "NGA", "BRA", "IND", "POL")[i % 5]) for i in range(experts)]
    review_rank(need=need, by=cast.secretariat)
    for person in people[:shortlisted]:
        entry = shortlist_add(by=cast.secretariat, need=need, expert=person)
        shortlist_status_set(by=cast.secretariat, entry_id=entry.pk, version=entry.version, status="contacted")
    for at, person in enumerate(people[shortlisted : shortlisted + 8]):
        kind, reason = ("force", "") if at % 2 else ("forbid", "Conflict of interest")
        assignment_pin_set(by=cast.secretariat, need=need, expert=person, kind=kind, reason=reason)


@pytest.mark.parametrize(("experts", "shortlisted"), [(3, 1), (60, 12)])
def test_the_review_page_reads_a_bounded_number_of_queries(
    cast, need, experts, shortlisted, django_assert_max_num_queries
):
    _roster(cast, need, experts=experts, shortlisted=shortlisted)
    client = cast.client_for("secretariat")
    url = reverse("admin:review_need", args=[need.pk])
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url).status_code == 200
    with django_assert_max_num_queries(PAGE_QUERIES):
        assert client.get(url, {"language": "en", "availability": "now", "regional_group": "AFR"}).status_code == 200
    other = MatchingPolicy.objects.create(name="Regional first", weight_geography=0.6)
    review_rank(need=need, by=cast.secretariat, policy=other)
    with django_assert_max_num_queries(COMPARE_QUERIES):
        assert client.get(url, {"compare": other.pk}).status_code == 200


@pytest.mark.parametrize(("experts", "shortlisted"), [(3, 1), (40, 12)])
def test_the_exports_read_a_bounded_number_of_queries(cast, need, experts, shortlisted, django_assert_max_num_queries):
    _roster(cast, need, experts=experts, shortlisted=shortlisted)
    client = cast.client_for("secretariat")
    with django_assert_max_num_queries(EXPORT_QUERIES):
        response = client.get(reverse("admin:review_shortlist_csv", args=[need.pk]))
        b"".join(response.streaming_content)
    with django_assert_max_num_queries(EXPORT_QUERIES):
        assert client.get(reverse("admin:review_shortlist_print", args=[need.pk])).status_code == 200
