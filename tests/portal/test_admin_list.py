"""The experts list's rows written with each column looked up once per page are Django's rows, cell for cell."""

import pytest
from django.contrib.admin.templatetags.admin_list import result_list
from django.utils import timezone

from portal.admin_list import written_result_list
from roster.models import Expert
from tests.factories import ExpertFactory, country

pytestmark = pytest.mark.django_db


@pytest.fixture
def experts(cast):
    now = timezone.now()
    ExpertFactory(family_name="O'Brien <b>", given_name="Ann & Co", status=Expert.Status.ACTIVE)
    ExpertFactory(family_name="Zed", revalidation_pending=True, last_confirmed_at=now, consent_given_at=now)
    ExpertFactory(family_name="Erased", erased_at=now, nominating_state=country("FRA"))
    ExpertFactory(family_name="Draft", status=Expert.Status.DRAFT, last_confirmed_at=None)


def _cells(context: dict) -> list[list[str]]:
    return [[str(cell) for cell in row] for row in context["results"]]


@pytest.mark.parametrize(
    "query",
    ["", "?o=-1.2", "?status__exact=active", "?q=zed", "?revalidation_pending__exact=1&o=7", "?_popup=1", "?p=1"],
)
def test_written_rows_are_djangos_rows(cast, experts, query):
    response = cast.client_for("secretariat").get(f"/secretariat/roster/expert/{query}")
    assert response.status_code == 200
    cl = response.context["cl"]
    djangos, ours = result_list(cl), written_result_list(cl)
    assert ours["result_headers"] == djangos["result_headers"]
    assert ours["num_sorted_fields"] == djangos["num_sorted_fields"]
    assert _cells(ours) == _cells(djangos)
    assert len(_cells(ours)) == cl.result_count
    # And the page shows these rows.
    assert _cells(ours)[0][1] in response.content.decode()
