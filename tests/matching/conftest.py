"""Fixtures shared by the assignment run tests (test_runs, test_run_pins)."""

import pytest

from matching import services
from tests.factories import NeedFactory
from tests.matching.test_services import expert


@pytest.fixture
def policy():
    """One place per need, so that the optimum is easy to see by hand."""
    policy = services.matching_policy_active()
    policy.k, policy.regional_cap = 1, 1
    policy.save()
    return policy


@pytest.fixture
def contested():
    """Two needs want the same strong expert, who has time for one: the optimum gives her the need only she covers
    fully and the other need to the expert who covers it as well; ranking each need alone gives her both."""
    both = NeedFactory(articles=[46, 48], title="Both articles")
    one = NeedFactory(articles=[46], title="One article")
    strong = expert(articles={46: 3, 48: 3}, days_per_year=20, given_name="Strong")
    second = expert(articles={46: 3}, days_per_year=20, given_name="Second")
    return {"both": both, "one": one, "strong": strong, "second": second}
