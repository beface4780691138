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
