import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db

INVITE = reverse("admin:accounts_user_invite")


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 302),
        ("colleague_same_state", 302),
        ("focal_point_other_state", 302),
        ("secretariat", 200),
        ("anonymous", 302),
    ],
)
def test_invite_page_access(cast, who, status):
    response = cast.client_for(who).get(INVITE)
    assert response.status_code == status
    if status == 302:
        assert "/login/" in response["Location"]


def test_invite_page_refuses_put(cast):
    assert cast.client_for("secretariat").put(INVITE).status_code == 405


def test_secretariat_invites_a_focal_point_who_gets_a_link(cast, django_capture_on_commit_callbacks):
    client = cast.client_for("secretariat")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            INVITE, {"email": "new@example.org", "full_name": "Ana Lima", "role": "focal_point", "state": "BRA"}
        )
    assert response.status_code == 302
    user = User.objects.get(email="new@example.org")
    assert user.is_focal_point and user.state_id == "BRA" and not user.has_usable_password()
    assert AuditEvent.objects.get(action="user.invite", target_id=str(user.pk)).actor == cast.secretariat
    assert mail.outbox[-1].to == ["new@example.org"] and "/accounts/reset/" in mail.outbox[-1].body


@pytest.mark.parametrize(
    "data, field",
    [
        ({"email": "x@example.org", "role": "focal_point"}, "state"),
        ({"email": "x@example.org", "role": "secretariat", "state": "KEN"}, "state"),
        ({"email": "owner@a.example.org", "role": "focal_point", "state": "KEN"}, "email"),
    ],
)
def test_a_wrong_invitation_is_refused_with_the_field_named(cast, data, field):
    response = cast.client_for("secretariat").post(INVITE, data)
    assert response.status_code == 200 and field in response.context["form"].errors
    assert not User.objects.filter(email="x@example.org").exists()
    assert not AuditEvent.objects.filter(action="user.invite").exists()


def test_deactivating_a_focal_point_is_audited_and_role_and_state_cannot_change(cast):
    client = cast.client_for("secretariat")
    url = reverse("admin:accounts_user_change", args=[cast.owner.pk])
    response = client.post(url, {"full_name": "Renamed", "role": "secretariat", "state": "FRA"})  # is_active off
    assert response.status_code == 302
    cast.owner.refresh_from_db()
    assert not cast.owner.is_active and cast.owner.full_name == "Renamed"
    assert cast.owner.role == "focal_point" and cast.owner.state_id == "KEN"
    event = AuditEvent.objects.get(action="user.update", target_id=str(cast.owner.pk))
    assert event.actor == cast.secretariat and event.details["changes"]["is_active"] == [True, False]


def test_nobody_sets_another_persons_password_in_the_admin(cast):
    url = reverse("admin:auth_user_password_change", args=[cast.owner.pk])
    assert cast.client_for("secretariat").get(url).status_code == 403


def test_accounts_are_not_deleted_but_deactivated(cast):
    url = reverse("admin:accounts_user_delete", args=[cast.owner.pk])
    assert cast.client_for("secretariat").post(url, {"post": "yes"}).status_code == 403
    assert User.objects.filter(pk=cast.owner.pk).exists()


def test_a_secretariat_member_cannot_deactivate_themselves(cast):
    client = cast.client_for("secretariat")
    url = reverse("admin:accounts_user_change", args=[cast.secretariat.pk])
    assert client.post(url, {"full_name": "Me"}).status_code == 302  # is_active left out: ignored, read-only
    cast.secretariat.refresh_from_db()
    assert cast.secretariat.is_active
