"""The secretariat's second factor: a TOTP authenticator app, and ten one-time recovery codes.

django-otp keeps the devices (otp_totp.TOTPDevice for the app, otp_static.StaticDevice for the codes)
and marks a session verified (`django_otp.login`); portal/access.py asks for that mark on every
secretariat page. Each wrong code is throttled twice: django-otp doubles the wait on the device after
each failure, and the account refuses every code for a cool-off once SECOND_FACTOR_FAILURE_LIMIT wrong
codes were given (counted in the shared cache, from any address, like the password's own limit). Every
wrong code, every recovery code used, every enrolment and every reset leaves an audit row.
"""

import enum
import re
from base64 import b32encode
from dataclasses import dataclass
from importlib import import_module

import segno
from django.conf import settings
from django.contrib.sessions.models import Session
from django.db import transaction
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.throttles import (
    second_factor_cooloff_minutes,
    second_factor_failure_count,
    second_factor_locked,
    second_factor_unlock,
)
from audit.actions import AuditAction
from audit.services import audit_record

RECOVERY_CODE_COUNT = 10
TOTP_CODE = re.compile(r"[0-9]{6}")


class Outcome(enum.Enum):
    VERIFIED = "verified"
    WRONG = "wrong"
    THROTTLED = "throttled"  # django-otp's wait after the device's last wrong code has not passed
    LOCKED = "locked"  # too many wrong codes for the account lately


@dataclass(frozen=True)
class Verification:
    outcome: Outcome
    device: Device | None = None
    recovery_codes_left: int | None = None


class AlreadyEnrolled(Exception):
    """The member has a confirmed device: a new one is enrolled only after a reset by an operator."""


def code_normalized(code: str) -> str:
    """As typed or pasted: spaces and hyphens between groups dropped, recovery codes in any case."""
    return re.sub(r"[\s-]", "", code).lower()


def second_factor_device(*, user: User) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def second_factor_enrolment_device(*, user: User) -> TOTPDevice:
    """The authenticator app being set up: the same secret until it is confirmed, so a scanned code stays good."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).order_by("pk").first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=False)


def enrolment_qr_svg(*, device: TOTPDevice, title: str) -> SafeString:
    """The device's otpauth:// address as a QR code, drawn here as inline SVG (no script, no other server)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5, dark="#000", light="#fff", title=title, omitsize=True
    )
    return mark_safe(svg)  # noqa: S308 - segno escapes the title; the rest is its own path data


def enrolment_secret(*, device: TOTPDevice) -> str:
    """The same secret for typing into the app by hand, in groups of four."""
    secret = b32encode(device.bin_key).decode().rstrip("=")
    return " ".join(secret[index : index + 4] for index in range(0, len(secret), 4))


def _failure(*, user: User, outcome: Outcome, kind: str) -> Verification:
    if outcome is Outcome.WRONG:
        second_factor_failure_count(username=user.email)
    audit_record(
        actor=user,
        action=AuditAction.USER_SECOND_FACTOR_FAILURE,
        target=user,
        details={"kind": kind, "reason": outcome.value},
    )
    return Verification(outcome)


def _check(*, user: User, device: Device | None, code: str, kind: str) -> Verification:
    if second_factor_locked(username=user.email):
        return _failure(user=user, outcome=Outcome.LOCKED, kind=kind)
    if device is not None and not device.verify_is_allowed()[0]:
        return _failure(user=user, outcome=Outcome.THROTTLED, kind=kind)
    if device is None or not device.verify_token(code):
        return _failure(user=user, outcome=Outcome.WRONG, kind=kind)
    second_factor_unlock(username=user.email)
    return Verification(Outcome.VERIFIED, device)


@transaction.atomic
def second_factor_verify(*, user: User, code: str) -> Verification:
    """Check a code from the app (six digits) or a recovery code (used up by this check) at sign-in."""
    code = code_normalized(code)
    kind = "totp" if TOTP_CODE.fullmatch(code) else "recovery_code"
    model = TOTPDevice if kind == "totp" else StaticDevice
    # Locked while checked, so that of two requests with the same code only one passes.
    device = model.objects.devices_for_user(user, confirmed=True).select_for_update().order_by("pk").first()
    result = _check(user=user, device=device, code=code, kind=kind)
    if result.outcome is Outcome.VERIFIED and kind == "recovery_code":
        left = device.token_set.count()
        audit_record(
            actor=user,
            action=AuditAction.USER_SECOND_FACTOR_RECOVERY_CODE_USE,
            target=user,
            details={"recovery_codes_left": left},
        )
        return Verification(Outcome.VERIFIED, device, left)
    return result


@transaction.atomic
def second_factor_enrol(*, user: User, code: str) -> tuple[Verification, list[str]]:
    """Confirm the app being set up with a code it shows, and issue ten recovery codes (returned once,
    to be shown once). Refused (AlreadyEnrolled) when the member has a confirmed app already."""
    User.objects.select_for_update().filter(pk=user.pk).first()  # one enrolment at a time per member
    if second_factor_device(user=user) is not None:
        raise AlreadyEnrolled
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).select_for_update().order_by("pk").first()
    result = _check(user=user, device=device, code=code_normalized(code), kind="enrolment")
    if result.outcome is not Outcome.VERIFIED:
        return result, []
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    codes = recovery_codes_issue(user=user)
    audit_record(actor=user, action=AuditAction.USER_SECOND_FACTOR_ENROL, target=user)
    return result, codes


def recovery_codes_issue(*, user: User) -> list[str]:
    """Ten new one-time recovery codes in place of any earlier ones; the caller shows them once."""
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name="recovery codes", confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def recovery_code_display(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def _sessions_end(*, user: User) -> int:
    """Every open session of the member, wherever it is kept (the database, and the cache in front of it)."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    ended = 0
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == str(user.pk):
            store(session_key=session.session_key).delete()
            ended += 1
    return ended


@transaction.atomic
def second_factor_reset(*, user: User, by: User | None, operator: str) -> int:
    """Remove the member's app and recovery codes (a lost phone); returns how many devices went.

    The member's open sessions end too: whoever holds one, the phone's finder included, must sign in
    with the password again and is then taken to enrolment.
    """
    devices = TOTPDevice.objects.filter(user=user).count() + StaticDevice.objects.filter(user=user).count()
    TOTPDevice.objects.filter(user=user).delete()
    StaticDevice.objects.filter(user=user).delete()
    sessions = _sessions_end(user=user)
    second_factor_unlock(username=user.email)
    audit_record(
        actor=by,
        action=AuditAction.USER_SECOND_FACTOR_RESET,
        target=user,
        details={"devices_removed": devices, "sessions_ended": sessions, "operator": operator},
    )
    return devices


def outcome_message(outcome: Outcome) -> str:
    return {
        Outcome.WRONG: _("This code is not valid. Check the time on your phone and type the newest code."),
        Outcome.THROTTLED: _("Too many wrong codes in a row. Wait a few seconds, then type the newest code."),
        Outcome.LOCKED: _("Too many wrong codes for this account. Wait %(minutes)d minutes, then try again.")
        % {"minutes": second_factor_cooloff_minutes()},
    }[outcome]
