"""Limits on guessing and on mail-bombing, counted in the shared cache so that every app server sees
the same counts: requests for a link by mail (a password link, an expert's profile link) per e-mail address
and per client, and failed sign-ins per account whatever address they come from (django-axes locks an
e-mail address at one client address; a password spray tries a few passwords on one account from many
addresses)."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.contrib.auth.signals import user_login_failed
from django.core.cache import cache
from django.dispatch import receiver
from django.http import HttpRequest


def _key(kind: str, value: str) -> str:
    # Hashed, so that the cache holds no e-mail address.
    return f"accounts:{kind}:" + hashlib.sha256(value.strip().lower().encode()).hexdigest()


def _count(key: str, window: timedelta, *, extend: bool = False) -> int:
    """One more event in the window; the count so far. With extend, the window restarts at each event."""
    seconds = int(window.total_seconds())
    cache.add(key, 0, timeout=seconds)
    try:
        count = cache.incr(key)
    except ValueError:  # the window ended between the two calls
        cache.set(key, 1, timeout=seconds)
        count = 1
    if extend:
        cache.touch(key, timeout=seconds)
    return count


def password_reset_window() -> timedelta:
    return timedelta(minutes=settings.PASSWORD_RESET_WINDOW_MINUTES)


def mail_link_allowed(*, kind: str, email: str, client: str) -> bool:
    """Count a request for a link by mail (KIND: "reset" for a password, "expert" for an expert's profile); False
    once the address or the client asked too often for that kind of link.

    Counted alike whether or not anyone has the address, so the answer reveals nothing.
    """
    window = password_reset_window()
    per_email = _count(_key(f"{kind}-email", email), window)
    per_client = _count(_key(f"{kind}-client", client), window)
    return per_email <= settings.PASSWORD_RESET_MAX_PER_EMAIL and per_client <= settings.PASSWORD_RESET_MAX_PER_CLIENT


def _login_cooloff() -> timedelta:
    return timedelta(minutes=settings.LOGIN_COOLOFF_MINUTES)


def account_locked(*, username: str) -> bool:
    return (cache.get(_key("login-failures", username)) or 0) >= settings.LOGIN_ACCOUNT_FAILURE_LIMIT


def account_unlock(*, username: str) -> None:
    """The owner proved control of the mailbox (a password set from a link): the account opens again."""
    cache.delete(_key("login-failures", username))


@receiver(user_login_failed)
def account_failure_count(sender: object, credentials: dict, request: HttpRequest | None = None, **kwargs) -> None:
    username = credentials.get("username")
    if username:
        # The lock lasts a cool-off after the last failure, so a spray that goes on keeps it shut.
        _count(_key("login-failures", str(username)), _login_cooloff(), extend=True)


def second_factor_locked(*, username: str) -> bool:
    """Too many wrong second-factor codes for this account lately: every code is refused for a while."""
    return (cache.get(_key("second-factor-failures", username)) or 0) >= settings.SECOND_FACTOR_FAILURE_LIMIT


def second_factor_failure_count(*, username: str) -> int:
    # As for the password: the lock lasts a cool-off after the last wrong code.
    return _count(_key("second-factor-failures", username), _login_cooloff(), extend=True)


def second_factor_unlock(*, username: str) -> None:
    """A right code, or a reset by an operator, clears the count."""
    cache.delete(_key("second-factor-failures", username))


def second_factor_cooloff_minutes() -> int:
    return int(_login_cooloff().total_seconds() // 60)
