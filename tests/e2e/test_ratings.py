"""The focal point of the requesting State rates the assistance an expert gave, from the need's page."""

from datetime import date

import pytest
from playwright.sync_api import expect

from feedback.models import Rating
from tests.factories import ExpertFactory, NeedFactory, ShortlistEntryFactory

pytestmark = pytest.mark.django_db(transaction=True)


def test_the_focal_point_rates_the_assistance_from_the_needs_page(cast, page, sign_in):
    need = NeedFactory(requesting_state=cast.owner.state, title="Asset recovery unit for Kenya")
    expert = ExpertFactory(given_name="Amina", family_name="Diallo")
    entry = ShortlistEntryFactory(
        need=need, expert=expert, status="deployed", deployed_from=date(2026, 3, 2), deployed_until=date(2026, 3, 13)
    )
    sign_in(cast.owner.email)
    page.get_by_role("link", name="Needs").first.click()
    page.get_by_role("link", name="Asset recovery unit for Kenya").click()
    page.get_by_role("link", name="Experts deployed and ratings").click()

    section = page.get_by_role("region", name="Amina Diallo")
    section.get_by_label("4 – very good").check()
    section.get_by_label("Comment (optional)").fill("Clear advice; drafts delivered on time.")
    section.get_by_role("button", name="Send the rating").click()

    expect(page.get_by_role("status").first).to_contain_text("your State's rating is recorded")
    expect(page.get_by_text("Your State rated this assistance on")).to_be_visible()
    rating = Rating.objects.get(shortlist_entry=entry)
    assert (rating.rater, rating.score, rating.rated_by) == ("state", 4, cast.owner)
