"""Drafts kept as the focal point types (issue 12, item 2): a 30-minute interruption, a closed tab or a colleague
taking over costs nothing. Only the same State's focal points see a draft; the secretariat keeps none."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from portal.erasure import personal_data_erase
from roster.models import Expert, NominationDraft
from tests.factories import ExpertFactory, country, nomination_form_data

pytestmark = pytest.mark.django_db
SAVE = "/nominations/drafts/save/"


def _typed(**overrides) -> dict:
    data = nomination_form_data(**overrides)
    data.pop("action")
    data.setdefault("draft", "")
    return data


def test_what_is_typed_is_kept_as_a_draft_of_the_state_and_the_same_draft_is_updated(cast):
    client = cast.client_for("owner")
    first = client.post(SAVE, _typed(**{"profile-email": "not yet"}))
    assert first.status_code == 200
    draft = NominationDraft.objects.get()
    assert first.json()["draft"] == draft.pk and draft.nominating_state_id == "KEN" and draft.expert is None
    assert draft.data["profile-email"] == ["not yet"] and "csrfmiddlewaretoken" not in draft.data
    client.post(SAVE, _typed(**{"draft": str(draft.pk), "profile-email": "jose@example.org"}))
    draft.refresh_from_db()
    assert NominationDraft.objects.count() == 1 and draft.data["profile-email"] == ["jose@example.org"]
    assert not Expert.objects.exists()


def test_a_colleague_of_the_same_state_takes_the_draft_up_and_saving_discards_it(cast):
    cast.client_for("owner").post(SAVE, _typed())
    draft = NominationDraft.objects.get()
    colleague = cast.client_for("colleague_same_state")
    page = colleague.get(reverse("roster:expert_nominate")).content.decode()
    assert f'href="?draft={draft.pk}">José Ramírez</a>' in page
    resumed = colleague.get(reverse("roster:expert_nominate"), {"draft": draft.pk}).content.decode()
    assert 'value="Ramírez"' in resumed and f'name="draft" value="{draft.pk}"' in resumed
    assert 'id="form-errors"' not in resumed
    response = colleague.post(reverse("roster:expert_nominate"), nomination_form_data(draft=str(draft.pk)))
    assert response.status_code == 302 and Expert.objects.count() == 1
    assert not NominationDraft.objects.exists()


def test_another_state_and_the_secretariat_never_see_a_draft(cast):
    cast.client_for("owner").post(SAVE, _typed())
    draft = NominationDraft.objects.get()
    for who in ("focal_point_other_state", "secretariat"):
        client = cast.client_for(who)
        assert "José Ramírez" not in client.get(reverse("roster:expert_nominate")).content.decode()
        assert client.get(reverse("roster:expert_nominate"), {"draft": draft.pk}).status_code == 404
        assert client.post(SAVE, _typed(draft=str(draft.pk))).status_code == 404
    draft.refresh_from_db()
    assert draft.data["profile-family_name"] == ["Ramírez"]


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("colleague_same_state", 200),
        ("focal_point_other_state", 404),
        ("secretariat", 404),
        ("anonymous", 302),
    ],
)
def test_autosave_access(cast, who, status):
    cast.client_for("owner").post(SAVE, _typed())
    draft = NominationDraft.objects.get()
    response = cast.client_for(who).post(SAVE, _typed(draft=str(draft.pk)))
    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == f"{reverse('login')}?next={SAVE}"


def test_autosave_refuses_the_wrong_method(cast):
    assert cast.client_for("owner").get(SAVE).status_code == 405


def test_an_edit_is_kept_for_its_expert_and_offered_while_newer_than_the_profile(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=Expert.Status.DRAFT)
    client = cast.client_for("owner")
    client.post(SAVE, _typed(**{"draft_expert": str(expert.pk), "profile-phone": "+254 typed"}))
    draft = NominationDraft.objects.get()
    assert draft.expert == expert
    url = reverse("roster:expert_edit", args=[expert.pk])
    assert f'href="?draft={draft.pk}"' in client.get(url).content.decode()
    assert 'value="+254 typed"' in client.get(url, {"draft": draft.pk}).content.decode()
    # A draft for one page is not opened on another.
    assert client.get(reverse("roster:expert_nominate"), {"draft": draft.pk}).status_code == 404
    # Another State's expert cannot be named.
    theirs = ExpertFactory(nominating_state=country("FRA"))
    assert client.post(SAVE, _typed(draft_expert=str(theirs.pk))).status_code == 404


def test_erasing_the_expert_deletes_the_drafts_of_their_profile(cast):
    expert = ExpertFactory(nominating_state=country("KEN"), status=Expert.Status.DRAFT)
    cast.client_for("owner").post(SAVE, _typed(draft_expert=str(expert.pk)))
    personal_data_erase(subject_pk=expert.pk)
    assert not NominationDraft.objects.exists()


def test_drafts_older_than_the_keeping_time_go(cast, settings):
    settings.ROSTER_DRAFT_KEEP_DAYS = 30
    client = cast.client_for("owner")
    client.post(SAVE, _typed())
    old = NominationDraft.objects.get()
    NominationDraft.objects.filter(pk=old.pk).update(updated_at=timezone.now() - datetime.timedelta(days=31))
    client.post(SAVE, _typed())
    assert list(NominationDraft.objects.values_list("pk", flat=True)) != [old.pk]
    assert NominationDraft.objects.count() == 1


def test_the_form_carries_what_autosave_needs_for_focal_points_only(cast):
    page = cast.client_for("owner").get(reverse("roster:expert_nominate")).content.decode()
    assert f'data-autosave-url="{SAVE}"' in page and 'name="draft" value=""' in page
    page = cast.client_for("secretariat").get(reverse("roster:expert_nominate")).content.decode()
    assert "data-autosave-url" not in page
