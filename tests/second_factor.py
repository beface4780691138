"""The secretariat's authenticator app, as tests hold it: a confirmed TOTP device and its current code."""

import time

from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice


def authenticator_of(user) -> TOTPDevice:
    """The member's confirmed authenticator app, set up now if the member has none."""
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator app", confirmed=True)


def code_now(device: TOTPDevice) -> str:
    """The code the app shows now, or the next one if this one was used already (each works once)."""
    while True:
        device.refresh_from_db()
        step_now = int((time.time() - device.t0) // device.step)
        # The portal accepts the code of the next step too (one step of tolerance for clocks).
        for drift in (0, 1):
            if step_now + drift > device.last_t:
                code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift)
                return f"{code:0{device.digits}d}"
        time.sleep(device.step - (time.time() - device.t0) % device.step + 0.1)


# django-otp's middleware reads, on every request of a secretariat member, the device that verified the
# session's second factor: one query that a bound on a page's queries counts for the secretariat.
SECOND_FACTOR_QUERIES = 1
