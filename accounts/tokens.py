"""The one way to make and check one-time tokens: invitations and password links, the expert's link,
the needs import preview, and whatever else is opened once from a mail or a form.

A token has a purpose (a token made for one thing opens nothing else), a subject, an expiry and a
single recorded use; issuing a new token for the same purpose and subject supersedes the older one.
"""

import enum
import hashlib
import secrets
from datetime import datetime, timedelta

from django.db import transaction
from django.utils import timezone

from accounts.models import OneTimeToken

Purpose = OneTimeToken.Purpose

# Spent and expired rows are kept a while so that an old link can still say why it no longer works.
KEEP_AFTER_EXPIRY = timedelta(days=30)


class TokenProblem(enum.Enum):
    UNKNOWN = "unknown"  # never issued, altered, or issued for another purpose
    EXPIRED = "expired"
    USED = "used"
    SUPERSEDED = "superseded"


class TokenRefused(Exception):
    def __init__(self, problem: TokenProblem) -> None:
        super().__init__(problem.value)
        self.problem = problem


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def tokens_supersede(*, purpose: Purpose, subject_id: int, now: datetime | None = None) -> None:
    """Void every open token for this purpose and subject (a newer one is on its way, or the need is gone)."""
    OneTimeToken.objects.filter(
        purpose=purpose, subject_id=subject_id, used_at__isnull=True, superseded_at__isnull=True
    ).update(superseded_at=now or timezone.now(), payload={})


@transaction.atomic
def token_issue(
    *, purpose: Purpose, subject_id: int, ttl: timedelta, payload: dict | None = None, now: datetime | None = None
) -> str:
    """A new token for the subject, superseding the open ones; returns the secret, which is never stored."""
    now = now or timezone.now()
    OneTimeToken.objects.filter(expires_at__lt=now - KEEP_AFTER_EXPIRY).delete()
    # What a token carries is needed only while it can still be used.
    OneTimeToken.objects.filter(expires_at__lt=now).exclude(payload={}).update(payload={})
    tokens_supersede(purpose=purpose, subject_id=subject_id, now=now)
    secret = secrets.token_urlsafe(32)
    OneTimeToken.objects.create(
        token_hash=_hash(secret),
        purpose=purpose,
        subject_id=subject_id,
        payload=payload or {},
        created_at=now,
        expires_at=now + ttl,
    )
    return secret


def _open(row: OneTimeToken | None, purpose: Purpose, now: datetime | None) -> OneTimeToken:
    if row is None or row.purpose != purpose:
        raise TokenRefused(TokenProblem.UNKNOWN)
    if row.used_at is not None:
        raise TokenRefused(TokenProblem.USED)
    if row.superseded_at is not None:
        raise TokenRefused(TokenProblem.SUPERSEDED)
    if row.expires_at <= (now or timezone.now()):
        raise TokenRefused(TokenProblem.EXPIRED)
    return row


def token_check(
    *, token: str, purpose: Purpose, subject_id: int | None = None, now: datetime | None = None
) -> OneTimeToken:
    """The open token for this secret and purpose (and subject, when the caller knows it), without using
    it; raises TokenRefused saying why not."""
    row = OneTimeToken.objects.filter(token_hash=_hash(token)).first() if token else None
    if row is not None and subject_id is not None and row.subject_id != subject_id:
        row = None
    return _open(row, purpose, now)


def token_recheck(*, pk: int, purpose: Purpose, now: datetime | None = None) -> OneTimeToken:
    """A token checked earlier (one a session holds, say), checked again as it stands now."""
    return _open(OneTimeToken.objects.filter(pk=pk).first(), purpose, now)


def token_use(*, token: OneTimeToken, now: datetime | None = None) -> None:
    """Record the one use; of two concurrent uses only one succeeds, the other is refused as used."""
    now = now or timezone.now()
    _open(token, token.purpose, now)
    used = OneTimeToken.objects.filter(
        pk=token.pk, used_at__isnull=True, superseded_at__isnull=True, expires_at__gt=now
    ).update(used_at=now, payload={})
    if not used:
        raise TokenRefused(TokenProblem.USED)
    token.used_at = now
