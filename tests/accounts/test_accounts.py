import re

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent

pytestmark = pytest.mark.django_db


def _link(message) -> str:
    return re.search(r"http://\S+/reset/\S+/", message.body).group(0)


def test_create_focal_point_sends_a_one_time_set_password_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_focal_point", "--state", "ken", "--email", "Focal@Example.org")
    user = User.objects.get(email="focal@example.org")
    assert user.is_focal_point and user.state_id == "KEN" and not user.has_usable_password()
    assert AuditEvent.objects.filter(action="user.invite", target_id=str(user.pk)).exists()
    assert len(mail.outbox) == 1 and "Kenya" in mail.outbox[0].body
    path = _link(mail.outbox[0]).split("://", 1)[1].split("/", 1)[1]
    response = client.get("/" + path, follow=True)
    new_password = "a long new password 2026"
    form = {"new_password1": new_password, "new_password2": new_password}
    response = client.post(response.redirect_chain[-1][0], form)
    assert response.status_code == 302
    user.refresh_from_db()
    assert user.check_password(new_password)
    assert AuditEvent.objects.filter(action="user.password_set", target_id=str(user.pk)).exists()
    # The same link does not work twice.
    response = client.get("/" + path, follow=True)
    assert b"already been used or has expired" in response.content


def test_create_secretariat_user_joins_the_secretariat_group(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_secretariat_user", "--email", "staff@example.org")
    user = User.objects.get(email="staff@example.org")
    assert user.is_secretariat and user.is_staff and user.groups.filter(name="Secretariat").exists()
    assert len(mail.outbox) == 1


def test_create_focal_point_refuses_an_unknown_state():
    with pytest.raises(CommandError, match="Unknown State code"):
        call_command("create_focal_point", "--state", "XXX", "--email", "a@example.org")
    assert not User.objects.exists()


def test_create_focal_point_refuses_a_duplicate_email(cast):
    with pytest.raises(CommandError, match="already exists"):
        call_command("create_focal_point", "--state", "KEN", "--email", cast.owner.email.upper())


def test_a_focal_point_needs_a_state_at_database_level():
    from django.db import IntegrityError

    with pytest.raises(IntegrityError):
        User.objects.create_user(email="x@example.org", role=User.Role.FOCAL_POINT, state=None)


@pytest.mark.parametrize(
    "who, status",
    [
        ("owner", 200),
        ("colleague_same_state", 200),
        ("focal_point_other_state", 200),
        ("secretariat", 200),
        # Issue 12, item 9: the home page tells anyone what the portal is and how to get an account.
        ("anonymous", 200),
    ],
)
def test_home_access(cast, who, status):
    response = cast.client_for(who).get(reverse("home"))
    assert response.status_code == status


def test_home_tells_a_focal_point_about_their_state_only(cast):
    body = cast.client_for("owner").get(reverse("home")).content.decode()
    assert "focal point for Kenya" in body and "France" not in body


def test_home_tells_the_secretariat_it_sees_everything(cast):
    body = cast.client_for("secretariat").get(reverse("home")).content.decode()
    assert "every State" in body


def test_home_rejects_post(cast):
    assert cast.client_for("owner").post(reverse("home")).status_code == 405


def test_login_locks_after_repeated_failures_per_username_and_address(cast, client, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": cast.owner.email, "password": "wrong"}, REMOTE_ADDR="10.0.0.1")
    locked = client.post(
        url, {"username": cast.owner.email, "password": "correct horse battery staple"}, REMOTE_ADDR="10.0.0.1"
    )
    assert locked.status_code == 429
    # The same user from another address, and another user from the same address, are not locked.
    other_address = client.post(
        url, {"username": cast.owner.email, "password": "correct horse battery staple"}, REMOTE_ADDR="10.0.0.2"
    )
    assert other_address.status_code == 302
    client.logout()
    other_user = client.post(
        url,
        {"username": cast.colleague_same_state.email, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.1",
    )
    assert other_user.status_code == 302


def test_wrong_password_shows_an_error(cast, client):
    response = client.post(reverse("login"), {"username": cast.owner.email, "password": "wrong"})
    assert response.status_code == 200 and b"did not match" in response.content


def test_session_expires_after_inactivity(cast, client, settings):
    from datetime import timedelta

    from django.contrib.sessions.models import Session
    from django.core.cache import cache
    from django.utils import timezone

    client.force_login(cast.owner)
    assert client.get(reverse("home")).status_code == 200
    # Each request pushes the expiry forward by the idle period, no more.
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()
    # Signed out: the experts list sends the visitor to sign in (the home page is now open to anyone).
    assert client.get(reverse("roster:expert_list")).status_code == 302
    assert "Sign in" in client.get(reverse("home")).content.decode()


def test_secretariat_admin_refuses_focal_points_even_marked_staff(cast, client):
    cast.owner.is_staff = True
    cast.owner.save()
    client.force_login(cast.owner)
    assert client.get("/secretariat/").status_code == 302
    assert cast.client_for("secretariat").get("/secretariat/").status_code == 200


def test_a_password_change_is_audited(cast, client):
    client.force_login(cast.owner)
    new_password = "another long passphrase 2026"
    response = client.post(
        reverse("password_change"),
        {"old_password": "correct horse battery staple", "new_password1": new_password, "new_password2": new_password},
    )
    assert response.status_code == 302
    assert AuditEvent.objects.filter(action="user.password_change", actor=cast.owner).count() == 1


def test_a_refused_password_change_is_not_audited(cast, client):
    client.force_login(cast.owner)
    response = client.post(
        reverse("password_change"), {"old_password": "wrong", "new_password1": "x", "new_password2": "y"}
    )
    assert response.status_code == 200
    assert not AuditEvent.objects.filter(action="user.password_change").exists()


def test_an_invited_person_whose_link_expired_can_ask_for_a_new_one(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        call_command("create_focal_point", "--state", "KEN", "--email", "late@example.org")
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("password_reset"), {"email": "LATE@example.org"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["late@example.org"]
    assert "/accounts/reset/" in mail.outbox[0].body


def test_password_reset_for_an_unknown_address_says_the_same_and_sends_nothing(client):
    response = client.post(reverse("password_reset"), {"email": "nobody@example.org"})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert mail.outbox == []


def test_a_forged_forwarded_for_header_does_not_dodge_the_lock(cast, client, settings):
    url = reverse("login")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            url,
            {"username": cast.owner.email, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            HTTP_X_FORWARDED_FOR=f"81.2.69.{attempt + 10}",
        )
    locked = client.post(
        url,
        {"username": cast.owner.email, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.1",
        HTTP_X_FORWARDED_FOR="81.2.69.200",
    )
    assert locked.status_code == 429


def test_behind_one_trusted_proxy_the_lock_follows_the_real_client(cast, client, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    url = reverse("login")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        # The client forges the left part; the load balancer appends the address it really saw.
        client.post(
            url,
            {"username": cast.owner.email, "password": "wrong"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"81.2.69.{attempt + 10}, 81.2.69.1",
        )
    locked = client.post(
        url,
        {"username": cast.owner.email, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="81.2.69.99, 81.2.69.1",
    )
    assert locked.status_code == 429
    other_client = client.post(
        url,
        {"username": cast.owner.email, "password": "correct horse battery staple"},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="81.2.69.2",
    )
    assert other_client.status_code == 302
