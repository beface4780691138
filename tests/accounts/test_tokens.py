"""The one-time tokens behind every link and confirmation: one purpose, one subject, one use, a deadline."""

import hashlib
import re
from datetime import timedelta

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from accounts.models import OneTimeToken
from accounts.services import focal_point_invite
from accounts.tokens import (
    Purpose,
    TokenProblem,
    TokenRefused,
    token_check,
    token_issue,
    token_recheck,
    token_use,
    tokens_supersede,
)

pytestmark = pytest.mark.django_db

HOUR = timedelta(hours=1)


def _refused(problem: TokenProblem, **check) -> None:
    with pytest.raises(TokenRefused) as refused:
        token_check(**check)
    assert refused.value.problem is problem


def test_an_open_token_opens_its_subject_for_its_purpose():
    secret = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR, payload={"a": 1})
    row = token_check(token=secret, purpose=Purpose.EXPERT_LINK, subject_id=7)
    assert (row.subject_id, row.payload) == (7, {"a": 1})


def test_only_a_hash_of_the_secret_is_stored():
    secret = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    row = OneTimeToken.objects.get()
    assert row.token_hash == hashlib.sha256(secret.encode()).hexdigest() and secret not in row.token_hash


def test_an_expired_token_is_refused():
    secret = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    _refused(TokenProblem.EXPIRED, token=secret, purpose=Purpose.EXPERT_LINK, now=timezone.now() + HOUR)


def test_a_used_token_is_refused_and_cannot_be_used_twice():
    secret = token_issue(purpose=Purpose.NEEDS_IMPORT, subject_id=7, ttl=HOUR, payload={"csv": "a,b"})
    row = token_check(token=secret, purpose=Purpose.NEEDS_IMPORT)
    stale_copy = OneTimeToken.objects.get(pk=row.pk)
    token_use(token=row)
    _refused(TokenProblem.USED, token=secret, purpose=Purpose.NEEDS_IMPORT)
    # A second use from a copy read before the first one (two requests racing) is refused too.
    with pytest.raises(TokenRefused):
        token_use(token=stale_copy)
    assert OneTimeToken.objects.get(pk=row.pk).payload == {}, "what it carried goes with its use"


def test_a_token_for_another_purpose_or_subject_is_unknown():
    secret = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    _refused(TokenProblem.UNKNOWN, token=secret, purpose=Purpose.PASSWORD_SET)
    _refused(TokenProblem.UNKNOWN, token=secret, purpose=Purpose.NEEDS_IMPORT)
    _refused(TokenProblem.UNKNOWN, token=secret, purpose=Purpose.EXPERT_LINK, subject_id=8)
    _refused(TokenProblem.UNKNOWN, token=secret[:-2] + "xx", purpose=Purpose.EXPERT_LINK)
    _refused(TokenProblem.UNKNOWN, token="", purpose=Purpose.EXPERT_LINK)


def test_a_newer_token_supersedes_the_older_one_of_the_same_purpose_and_subject():
    older = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    other_subject = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=8, ttl=HOUR)
    other_purpose = token_issue(purpose=Purpose.PASSWORD_SET, subject_id=7, ttl=HOUR)
    newer = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    _refused(TokenProblem.SUPERSEDED, token=older, purpose=Purpose.EXPERT_LINK)
    assert token_check(token=newer, purpose=Purpose.EXPERT_LINK).subject_id == 7
    assert token_check(token=other_subject, purpose=Purpose.EXPERT_LINK).subject_id == 8
    assert token_check(token=other_purpose, purpose=Purpose.PASSWORD_SET).subject_id == 7
    tokens_supersede(purpose=Purpose.EXPERT_LINK, subject_id=7)
    _refused(TokenProblem.SUPERSEDED, token=newer, purpose=Purpose.EXPERT_LINK)


def test_a_recheck_sees_what_happened_to_the_token_since():
    secret = token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    row = token_check(token=secret, purpose=Purpose.EXPERT_LINK)
    assert token_recheck(pk=row.pk, purpose=Purpose.EXPERT_LINK) == row
    with pytest.raises(TokenRefused):
        token_recheck(pk=row.pk, purpose=Purpose.NEEDS_IMPORT)
    token_issue(purpose=Purpose.EXPERT_LINK, subject_id=7, ttl=HOUR)
    with pytest.raises(TokenRefused) as refused:
        token_recheck(pk=row.pk, purpose=Purpose.EXPERT_LINK)
    assert refused.value.problem is TokenProblem.SUPERSEDED


def test_long_expired_tokens_are_cleared_and_expired_ones_drop_what_they_carried():
    long_ago = timezone.now() - timedelta(days=60)
    token_issue(purpose=Purpose.EXPERT_LINK, subject_id=1, ttl=HOUR, now=long_ago)
    two_hours_ago = timezone.now() - HOUR * 2
    token_issue(purpose=Purpose.NEEDS_IMPORT, subject_id=2, ttl=HOUR, payload={"csv": "x"}, now=two_hours_ago)
    token_issue(purpose=Purpose.EXPERT_LINK, subject_id=3, ttl=HOUR)
    assert not OneTimeToken.objects.filter(subject_id=1).exists()
    assert OneTimeToken.objects.get(subject_id=2).payload == {}


# --- the password links (invitation and reset) go through the same tokens ----------------------


def _link_path(message) -> str:
    return re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", message.body).group(1)


NEW_PASSWORD = "a long new password 2026"  # noqa: S105 (a test account's password)


def _set_password(client, path: str):
    response = client.get(path, follow=True)
    form = {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD}
    return client.post(response.redirect_chain[-1][0], form)


def test_an_invitation_link_is_superseded_by_a_newer_reset_link(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        user = focal_point_invite(email="new@example.org", state_iso3="KEN")
    invitation = _link_path(mail.outbox[-1])
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": user.email})
    reset = _link_path(mail.outbox[-1])
    assert reset != invitation
    assert b"already been used or has expired" in client.get(invitation, follow=True).content
    assert _set_password(client, reset).status_code == 302
    user.refresh_from_db()
    assert user.has_usable_password()


def test_a_password_link_is_void_after_the_password_is_changed(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": cast.owner.email})
    link = _link_path(mail.outbox[-1])
    client.force_login(cast.owner)
    new = "another long password 2026"
    client.post(
        reverse("password_change"),
        {"old_password": "correct horse battery staple", "new_password1": new, "new_password2": new},
    )
    client.logout()
    assert b"already been used or has expired" in client.get(link, follow=True).content


def test_a_password_link_opens_only_its_own_account(cast, client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": cast.owner.email})
    _uidb64, token = _link_path(mail.outbox[-1]).strip("/").split("/")[-2:]
    other = urlsafe_base64_encode(force_bytes(cast.colleague_same_state.pk))
    response = client.get(reverse("password_reset_confirm", kwargs={"uidb64": other, "token": token}), follow=True)
    assert b"already been used or has expired" in response.content
