"""Detail and form pages make the same number of queries however much a need holds or has been changed."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from needs.services import need_update
from tests.factories import NeedFactory

pytestmark = pytest.mark.django_db


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as context:
        assert client.get(url).status_code == 200
    return len(context.captured_queries)


def _grown_need(by):
    need = NeedFactory(articles=list(range(5, 43)), working_languages=["en", "fr", "es", "ar", "ru", "zh"])
    for n in range(15):
        need = need_update(need=need, by=by, data={"title": f"Revised title {n}"}, expected_version=need.version)
    return need


@pytest.mark.parametrize("view", ["needs:need_detail", "needs:need_edit"])
def test_need_pages_make_the_same_queries_for_a_small_and_a_large_need(cast, view):
    client = cast.client_for("owner")
    client.get(reverse("home"))  # the session is warm, as for any person mid-visit
    small = NeedFactory()
    large = _grown_need(cast.owner)
    assert _queries(client, reverse(view, args=[large.pk])) <= _queries(client, reverse(view, args=[small.pk]))


def test_home_makes_the_same_queries_whatever_the_register_holds(cast):
    client = cast.client_for("owner")
    client.get(reverse("home"))  # the session is warm, as for any person mid-visit
    before = _queries(client, reverse("home"))
    NeedFactory.create_batch(20)
    assert _queries(client, reverse("home")) == before
