"""An expert's pages make the same few queries however large the roster around the expert is (issue 13)."""

import pytest
from django.urls import reverse

from roster import services
from tests.factories import ExpertFactory, expert_profile

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("url_name", "who"),
    [
        ("roster:expert_detail", "secretariat"),
        ("roster:expert_detail", "owner"),
        ("admin:roster_expert_change", "secretariat"),
        ("roster:expert_edit", "owner"),
    ],
)
def test_an_experts_page_makes_the_same_queries_beside_3_or_30_other_experts(
    cast, django_assert_max_num_queries, url_name, who
):
    expert = services.expert_nominate(by=cast.owner, profile=expert_profile())
    client = cast.client_for(who)
    ExpertFactory.create_batch(3, nominating_state=cast.owner.state)
    with django_assert_max_num_queries(40) as small:
        assert client.get(reverse(url_name, args=[expert.pk])).status_code == 200
    ExpertFactory.create_batch(27, nominating_state=cast.owner.state)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert client.get(reverse(url_name, args=[expert.pk])).status_code == 200
