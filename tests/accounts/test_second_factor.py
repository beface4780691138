"""The secretariat's second factor: asked at every sign-in, set up on first use, throttled, audited, reset."""

import re
from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.second_factor import recovery_codes_issue
from audit.models import AuditEvent
from tests.admin_urls import admin_urls
from tests.conftest import PASSWORD
from tests.factories import SecretariatFactory
from tests.second_factor import authenticator_of, code_now

pytestmark = pytest.mark.django_db


def _password_only(user) -> Client:
    """A browser that has given the member's password at the sign-in page, and nothing more yet."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _failures(user) -> list[dict]:
    return list(
        AuditEvent.objects.filter(action="user.second_factor_failure", actor=user, target_id=str(user.pk))
        .order_by("id")
        .values_list("details", flat=True)
    )


def test_a_member_without_a_device_is_sent_to_enrolment_from_every_secretariat_url(cast):
    client = _password_only(cast.secretariat)
    portal_pages = [reverse("home"), reverse("roster:expert_list"), reverse("needs:need_list")]
    admin_pages = [admin_url.url for admin_url in admin_urls() if admin_url.name != "logout"]
    enrolment = reverse("second_factor_enrol")
    not_sent = []
    for url in portal_pages + admin_pages:
        response = client.get(url)
        if not (response.status_code == 302 and response["Location"].startswith(f"{enrolment}?next=")):
            not_sent.append(f"{url} answered {response.status_code}")
        assert response.content == b""  # not a byte of data before the second factor
    assert not_sent == []


def test_a_member_with_a_device_is_asked_for_the_code_and_comes_back_to_the_page_asked_for(cast):
    device = authenticator_of(cast.secretariat)
    client = _password_only(cast.secretariat)

    response = client.get("/secretariat/roster/expert/")
    assert response.status_code == 302
    assert response["Location"] == f"{reverse('second_factor')}?next=/secretariat/roster/expert/"
    page = client.get(response["Location"])
    assert page.status_code == 200 and b"Second factor" in page.content
    assert client.get(reverse("second_factor_enrol")).status_code == 302  # no second app without a reset

    response = client.post(reverse("second_factor"), {"code": code_now(device), "next": "/secretariat/roster/expert/"})
    assert (response.status_code, response["Location"]) == (302, "/secretariat/roster/expert/")
    assert client.get("/secretariat/roster/expert/").status_code == 200
    assert client.get(reverse("home")).status_code == 200


def test_enrolment_shows_a_qr_code_and_the_key_and_a_right_code_confirms_it_with_ten_recovery_codes(cast):
    member = cast.secretariat
    client = _password_only(member)
    page = client.get(reverse("second_factor_enrol"), {"next": "/secretariat/"})
    assert page.status_code == 200
    body = page.content.decode()
    device = TOTPDevice.objects.get(user=member)
    assert not device.confirmed
    assert "<svg" in body and "<script" not in body and "http" not in body.split("<svg", 1)[1].split("</svg>")[0]
    assert page.context["secret"].replace(" ", "") in device.config_url
    # Reloading the page keeps the key already scanned.
    assert client.get(reverse("second_factor_enrol")).context["secret"] == page.context["secret"]
    assert client.get("/secretariat/").status_code == 302

    response = client.post(reverse("second_factor_enrol"), {"code": code_now(device), "next": "/secretariat/"})

    assert response.status_code == 200
    codes = response.context["codes"]
    assert len(codes) == len(set(codes)) == 10
    assert all(re.fullmatch(r"[a-z2-7]{4}-[a-z2-7]{4}", code) for code in codes)
    device.refresh_from_db()
    assert device.confirmed
    assert StaticToken.objects.filter(device__user=member).count() == 10
    assert client.get("/secretariat/").status_code == 200
    assert AuditEvent.objects.filter(action="user.second_factor_enrol", actor=member).count() == 1
    # Shown once: the enrolment page now sends the member on, and nothing shows the codes again.
    again = client.get(reverse("second_factor_enrol"))
    assert again.status_code == 302 and codes[0].encode() not in again.content


def test_a_wrong_enrolment_code_confirms_nothing_and_is_audited(cast):
    member = cast.secretariat
    client = _password_only(member)
    client.get(reverse("second_factor_enrol"))
    response = client.post(reverse("second_factor_enrol"), {"code": "000000"})
    assert response.status_code in (200, 429)
    assert b"not valid" in response.content or b"Too many" in response.content
    assert not TOTPDevice.objects.filter(user=member, confirmed=True).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    assert _failures(member)[0]["kind"] == "enrolment"
    assert client.get("/secretariat/").status_code == 302


def test_a_wrong_code_is_refused_audited_and_the_next_try_waits(cast):
    member = cast.secretariat
    device = authenticator_of(member)
    client = _password_only(member)

    wrong = client.post(reverse("second_factor"), {"code": "000000" if code_now(device) != "000000" else "111111"})
    assert wrong.status_code == 200
    assert b"This code is not valid" in wrong.content
    # django-otp's wait after a wrong code: even the right code is refused until it has passed.
    right_too_soon = client.post(reverse("second_factor"), {"code": code_now(device)})
    assert right_too_soon.status_code == 429
    assert b"Too many wrong codes in a row" in right_too_soon.content
    assert client.get("/secretariat/").status_code == 302
    assert [failure["reason"] for failure in _failures(member)] == ["wrong", "throttled"]


def test_the_account_refuses_every_code_after_too_many_wrong_ones_from_anywhere(cast, settings):
    settings.SECOND_FACTOR_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0  # the device's own wait is tested above; here, the account's count
    settings.OTP_STATIC_THROTTLE_FACTOR = 0
    member = cast.secretariat
    device = authenticator_of(member)
    codes = recovery_codes_issue(user=member)
    for _attempt in range(3):
        # Each try from another browser (another address, another session): the count is the account's.
        _password_only(member).post(reverse("second_factor"), {"code": "wrongcode"})

    client = _password_only(member)
    for code in (code_now(device), codes[0]):
        response = client.post(reverse("second_factor"), {"code": code})
        assert response.status_code == 429
        assert b"Wait 30 minutes" in response.content
    assert client.get("/secretariat/").status_code == 302
    assert StaticToken.objects.filter(device__user=member).count() == 10  # the refused code stays usable
    assert [failure["reason"] for failure in _failures(member)] == ["wrong"] * 3 + ["locked"] * 2

    cache.clear()  # the cool-off has passed
    assert client.post(reverse("second_factor"), {"code": codes[0]}).status_code == 302


def test_a_recovery_code_signs_in_once(cast):
    member = cast.secretariat
    authenticator_of(member)
    codes = recovery_codes_issue(user=member)
    client = _password_only(member)

    response = client.post(reverse("second_factor"), {"code": codes[3].upper()[:4] + " " + codes[3][4:]}, follow=True)

    assert response.redirect_chain[0] == (reverse("home"), 302)
    assert "9 recovery codes are left" in response.content.decode()
    assert client.get("/secretariat/").status_code == 200
    used = AuditEvent.objects.get(action="user.second_factor_recovery_code_use")
    assert used.actor == member and used.details == {"recovery_codes_left": 9}

    again = _password_only(member)
    response = again.post(reverse("second_factor"), {"code": codes[3]})
    assert response.status_code == 200 and b"This code is not valid" in response.content
    assert again.get("/secretariat/").status_code == 302


def test_the_code_is_asked_again_at_every_sign_in(cast):
    client = cast.client_for("secretariat")
    assert client.get("/secretariat/").status_code == 200
    client.post(reverse("logout"))
    client.post(reverse("login"), {"username": cast.secretariat.email, "password": PASSWORD})
    response = client.get("/secretariat/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("second_factor"))


def test_a_verified_session_ends_after_inactivity(cast, settings):
    client = cast.client_for("secretariat")
    assert client.get("/secretariat/").status_code == 200
    session = Session.objects.get()
    assert session.expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE + 5)
    Session.objects.update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()
    response = client.get("/secretariat/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))


def test_the_second_factor_never_sends_a_member_to_another_site(cast):
    device = authenticator_of(cast.secretariat)
    client = _password_only(cast.secretariat)
    response = client.post(reverse("second_factor"), {"code": code_now(device), "next": "https://example.com/"})
    assert response["Location"] == reverse("home")


def test_reset_second_factor_removes_the_devices_ends_the_sessions_and_is_audited(cast, run_manage):
    member = cast.secretariat
    verified = cast.client_for("secretariat")
    recovery_codes_issue(user=member)
    colleague = SecretariatFactory(email="operator@secretariat.example.org")  # runs the command
    assert verified.get("/secretariat/").status_code == 200

    assert run_manage("reset_second_factor", "--email", member.email.upper(), "--by", colleague.email) == 0

    assert not TOTPDevice.objects.filter(user=member).exists()
    assert not StaticDevice.objects.filter(user=member).exists()
    event = AuditEvent.objects.get(action="user.second_factor_reset")
    assert event.actor == colleague and event.target_id == str(member.pk)
    assert event.details["devices_removed"] == 2 and event.details["sessions_ended"] == 1
    assert event.details["operator"]  # the shell account that ran the command
    response = verified.get("/secretariat/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("admin:login"))
    # Signing in again leads to enrolment.
    client = _password_only(member)
    assert client.get("/secretariat/")["Location"].startswith(reverse("second_factor_enrol"))


def test_reset_second_factor_refuses_an_unknown_address_or_operator(cast, run_manage):
    authenticator_of(cast.secretariat)
    assert run_manage("reset_second_factor", "--email", "nobody@example.org") == 1
    assert run_manage("reset_second_factor", "--email", cast.secretariat.email, "--by", cast.owner.email) == 1
    assert TOTPDevice.objects.filter(user=cast.secretariat).exists()
    assert not AuditEvent.objects.filter(action="user.second_factor_reset").exists()


def test_a_reset_without_an_operator_account_records_the_shell_account(cast, run_manage):
    authenticator_of(cast.secretariat)
    assert run_manage("reset_second_factor", "--email", cast.secretariat.email) == 0
    event = AuditEvent.objects.get(action="user.second_factor_reset")
    assert event.actor is None and event.details["operator"]


def test_focal_points_are_never_asked_for_a_second_factor(cast):
    client = Client()
    client.post(reverse("login"), {"username": cast.owner.email, "password": PASSWORD})
    assert client.get(reverse("roster:expert_list")).status_code == 200
    assert client.get(reverse("second_factor")).status_code == 404
