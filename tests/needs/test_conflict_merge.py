"""After a refused save over a newer version of a need, saving again keeps both people's changes."""

import pytest
from django.urls import reverse

from needs.models import Need
from tests.factories import NEED_FORM

pytestmark = pytest.mark.django_db


@pytest.fixture
def opened(cast):
    """A need recorded through the page; both focal points of the State have its edit page open at version 1."""
    cast.client_for("owner").post(reverse("needs:need_create"), NEED_FORM)
    need = Need.objects.get()
    assert need.version == 1
    return need, reverse("needs:need_edit", args=[need.pk])


def test_what_only_the_other_person_changed_is_brought_into_the_form(cast, opened):
    need, url = opened
    cast.client_for("colleague_same_state").post(
        url, {**NEED_FORM, "version": "1", "priority": "low", "working_languages": ["fr", "en", "es"]}
    )
    owner = cast.client_for("owner")
    refused = owner.post(url, {**NEED_FORM, "version": "1", "title": "Whistle-blower protection law"})
    assert refused.status_code == 409
    data = refused.context["form"].data
    assert data["priority"] == "low" and sorted(data.getlist("working_languages")) == ["en", "es", "fr"]
    assert data["title"] == "Whistle-blower protection law" and data["version"] == "2"
    assert "Their newer values are now shown for what you had not changed" in refused.content.decode()

    assert owner.post(url, dict(data.lists())).status_code == 302
    need.refresh_from_db()
    assert need.title == "Whistle-blower protection law" and need.priority == "low"
    assert sorted(need.working_languages.values_list("pk", flat=True)) == ["en", "es", "fr"]


def test_what_both_changed_keeps_this_persons_value_and_is_named(cast, opened):
    need, url = opened
    cast.client_for("colleague_same_state").post(url, {**NEED_FORM, "version": "1", "priority": "low"})
    refused = cast.client_for("owner").post(url, {**NEED_FORM, "version": "1", "priority": "medium"})
    assert refused.context["form"].data["priority"] == "medium"
    assert "You both changed Priority" in refused.content.decode()
    need.refresh_from_db()
    assert need.priority == "low"
