"""After a refused save over a newer version, saving again keeps both people's changes."""

import pytest
from django.urls import reverse

from roster.models import Expert
from tests.factories import nomination_form_data

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(cast):
    """An expert nominated through the page; both focal points of the State have its edit page open at version 1."""
    cast.client_for("owner").post(reverse("roster:expert_nominate"), nomination_form_data())
    expert = Expert.objects.get()
    assert expert.version == 1
    return expert, reverse("roster:expert_edit", args=[expert.pk])


def _as_opened(**changes) -> dict:
    return nomination_form_data(**{"profile-version": "1", "action": "save", **changes})


def test_a_field_only_the_other_person_changed_shows_their_newer_value(cast, opened):
    expert, url = opened
    cast.client_for("colleague_same_state").post(url, _as_opened(**{"profile-phone": "+254 700 111 222"}))
    owner = cast.client_for("owner")
    refused = owner.post(url, _as_opened(**{"profile-employer": "Ethics and Anti-Corruption Commission"}))
    assert refused.status_code == 409
    body = refused.content.decode()
    assert 'value="+254 700 111 222"' in body and 'value="Ethics and Anti-Corruption Commission"' in body
    assert "Their newer values are now shown for what you had not changed: Telephone." in body

    # Saving again, as the page now stands, keeps both changes.
    resent = dict(refused.context["template"].profile.data.lists())
    assert owner.post(url, resent).status_code == 302
    expert.refresh_from_db()
    assert expert.phone == "+254 700 111 222" and expert.employer == "Ethics and Anti-Corruption Commission"
    assert sorted(expert.countries_worked_in.values_list("pk", flat=True)) == ["TZA", "UGA"]


def test_a_field_both_changed_keeps_this_persons_value_and_is_named(cast, opened):
    expert, url = opened
    cast.client_for("colleague_same_state").post(url, _as_opened(**{"profile-years_experience": "21"}))
    refused = cast.client_for("owner").post(url, _as_opened(**{"profile-years_experience": "25"}))
    assert refused.status_code == 409
    assert refused.context["template"].profile.data["profile-years_experience"] == "25"
    assert "You both changed Years of experience" in refused.content.decode()
    expert.refresh_from_db()
    assert expert.years_experience == 21


def test_choices_and_ticks_changed_by_the_other_person_are_kept(cast, opened):
    expert, url = opened
    colleague_change = {"profile-assistance_types": ["legal_advice"], "profile-remote": "on"}
    cast.client_for("colleague_same_state").post(url, _as_opened(**colleague_change))
    owner_change = {"profile-summary": "Judge of the anti-corruption division"}
    refused = cast.client_for("owner").post(url, _as_opened(**owner_change))
    data = refused.context["template"].profile.data
    assert data.getlist("profile-assistance_types") == ["legal_advice"] and data["profile-remote"] == "on"
    assert data["profile-summary"] == "Judge of the anti-corruption division"


def test_a_field_the_other_person_cleared_stays_cleared(cast, opened):
    expert, url = opened
    cast.client_for("colleague_same_state").post(url, _as_opened(**{"profile-on_site": ""}))
    refused = cast.client_for("owner").post(url, _as_opened(**{"profile-phone": "+254 1"}))
    assert "profile-on_site" not in refused.context["template"].profile.data
