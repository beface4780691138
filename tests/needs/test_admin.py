"""The needs register in the restricted admin: readable with its history, written only via services."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_secretariat_reads_needs_and_their_history_in_the_admin(cast, need_a):
    client = cast.client_for("secretariat")
    changelist = client.get(reverse("admin:needs_need_changelist"))
    assert changelist.status_code == 200
    body = changelist.content.decode()
    assert need_a.title in body and reverse("admin:needs_need_import") in body
    assert client.get(reverse("admin:needs_need_change", args=[need_a.pk])).status_code == 200
    assert client.get(reverse("admin:needs_need_history", args=[need_a.pk])).status_code == 200


def test_the_admin_offers_no_way_around_the_services(cast, need_a):
    client = cast.client_for("secretariat")
    assert client.get(reverse("admin:needs_need_add")).status_code == 403
    assert client.get(reverse("admin:needs_need_delete", args=[need_a.pk])).status_code == 403
    response = client.post(reverse("admin:needs_need_change", args=[need_a.pk]), {"title": "Changed in admin"})
    assert response.status_code == 403
    need_a.refresh_from_db()
    assert need_a.title == "Witness protection programme for Kenya"


def test_focal_points_never_reach_the_needs_admin(cast, need_a):
    response = cast.client_for("owner").get(reverse("admin:needs_need_changelist"))
    assert response.status_code == 302 and "/secretariat/login/" in response["Location"]


def test_a_past_version_in_the_admin_can_be_read_but_not_posted_back(cast, need_a):
    from audit.models import AuditEvent

    client = cast.client_for("secretariat")
    version = need_a.history.earliest()
    url = reverse("admin:needs_need_simple_history", args=[need_a.pk, version.history_id])
    page = client.get(url)
    assert page.status_code == 200 and "Revert" not in page.content.decode()
    form = {
        "requesting_state": "FRA",
        "articles": ["46"],
        "assistance_type": "legal_advice",
        "working_languages": ["en"],
        "priority": "high",
        "title": "Rewritten from the history page",
        "source": "review_report",
        "review_cycle": "1",
        "status": "addressed",
        "version": "1",
        "remote": "on",
        "on_site": "on",
    }
    assert client.post(url, form).status_code == 405
    assert client.post(url, {**form, "_change_history": "1"}).status_code == 405
    need_a.refresh_from_db()
    assert (need_a.title, need_a.requesting_state_id, need_a.status) == (
        "Witness protection programme for Kenya",
        "KEN",
        "open",
    )
    assert not AuditEvent.objects.filter(action__startswith="need.").exists()
