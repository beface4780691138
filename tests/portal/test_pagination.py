"""Far pages of a list select their rows by primary key first; they hold exactly what Paginator's pages hold."""

import pytest
from django.core.paginator import Paginator

from portal.pagination import DeferredJoinPaginator
from roster.models import Expert
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("orphans", [0, 3])
def test_every_page_holds_the_rows_of_paginators_page_in_the_same_order(orphans):
    ExpertFactory.create_batch(23)
    experts = Expert.objects.select_related("nominating_state").order_by("family_name", "given_name", "id")
    plain, deferred = Paginator(experts, 5, orphans=orphans), DeferredJoinPaginator(experts, 5, orphans=orphans)
    assert deferred.num_pages == plain.num_pages
    for number in plain.page_range:
        assert list(deferred.page(number)) == list(plain.page(number))
    assert [e.nominating_state.name for e in deferred.page(3)] == [e.nominating_state.name for e in plain.page(3)]


def test_a_far_page_is_two_queries_at_most_whatever_the_list(django_assert_max_num_queries):
    ExpertFactory.create_batch(12)
    page = DeferredJoinPaginator(Expert.objects.select_related("nationality").order_by("id"), 5).page(2)
    with django_assert_max_num_queries(1):
        names = [expert.nationality.name for expert in page]
    assert len(names) == 5
