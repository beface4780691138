"""Small things people notice: the names of erased experts, and addresses as they were typed."""

import pytest
from django.urls import reverse

from accounts.models import User
from roster.personal_data import expert_erase
from tests.factories import ExpertFactory

pytestmark = pytest.mark.django_db


def test_an_erased_expert_is_shown_as_such_in_the_lists_and_on_the_record(cast, state_a):
    expert = ExpertFactory(nominating_state=state_a, given_name="Wanjiru", family_name="Kamau")
    expert_erase(expert=expert, by=cast.secretariat)
    listing = cast.client_for("owner").get(reverse("roster:expert_list"), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    record = cast.client_for("owner").get(reverse("roster:expert_detail", args=[expert.pk]), HTTP_ACCEPT_LANGUAGE="en")
    admin_list = (
        cast.client_for("secretariat")
        .get(reverse("admin:roster_expert_changelist"), HTTP_ACCEPT_LANGUAGE="en")
        .content.decode()
    )
    for page in (listing, record.content.decode(), admin_list):
        assert "Erased expert" in page
        assert f"erased-{expert.pk}" not in page and "Kamau" not in page
    french = cast.client_for("owner").get(reverse("roster:expert_list"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Expert effacé" in french


def test_the_invitation_notice_shows_the_address_as_typed(cast):
    response = cast.client_for("secretariat").post(
        reverse("admin:accounts_user_invite"),
        {"email": "Ana.Lima@Example.org", "full_name": "Ana Lima", "role": "focal_point", "state": "BRA"},
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    assert "Ana.Lima@Example.org has been invited by e-mail." in response.content.decode()
    assert User.objects.filter(email="ana.lima@example.org").exists()  # signing in does not depend on case
