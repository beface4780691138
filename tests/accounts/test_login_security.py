"""Finding 6 of issue 7: password links cannot be farmed or used to tell who has an account, and a
password spray from many addresses locks the account it aims at."""

import re

import pytest
from django.contrib.auth import SESSION_KEY
from django.core import mail
from django.core.signals import request_finished
from django.db import close_old_connections
from django.test import Client, RequestFactory
from django.urls import resolve, reverse

from accounts.models import OneTimeToken
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db

RESET = reverse("password_reset")
LOGIN = reverse("login")


def _without_csrf_token(body: bytes) -> str:
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", body.decode())


# --- (a) password links -------------------------------------------------------------------------


@pytest.fixture
def keep_test_connection():
    """Closing a response ends the request, which closes the database connection; the test's own
    transaction must outlive that, so it is kept open, as Django's test client does."""
    request_finished.disconnect(close_old_connections)
    yield
    request_finished.connect(close_old_connections)


def test_a_reset_request_answers_alike_and_looks_nothing_up_before_the_answer_is_sent(
    cast, django_assert_num_queries, django_capture_on_commit_callbacks, keep_test_connection
):
    view = resolve(RESET).func
    responses = {}
    for email in (cast.owner.email, "nobody@example.org"):
        request = RequestFactory().post(RESET, {"email": email}, REMOTE_ADDR="192.0.2.10")
        request._dont_enforce_csrf_checks = True  # as Django's test client does
        # No query at all while the answer is made: whether the account exists cannot change its timing.
        with django_assert_num_queries(0):
            responses[email] = view(request)
        assert mail.outbox == [] and not OneTimeToken.objects.exists()
    known, unknown = responses.values()
    assert (known.status_code, known["Location"], known.content) == (
        unknown.status_code,
        unknown["Location"],
        unknown.content,
    )
    assert known.status_code == 302 and known["Location"] == reverse("password_reset_done")
    # The server closes each response once it is sent: only then is the account looked up and mailed.
    with django_capture_on_commit_callbacks(execute=True):
        unknown.close()
    assert mail.outbox == []
    with django_capture_on_commit_callbacks(execute=True):
        known.close()
    assert [message.to for message in mail.outbox] == [[cast.owner.email]]
    assert OneTimeToken.objects.filter(purpose=OneTimeToken.Purpose.PASSWORD_SET, subject_id=cast.owner.pk).exists()


def test_a_mail_failure_after_the_answer_does_not_change_the_answer(cast, client, monkeypatch, caplog):
    def refuse(*args, **kwargs):
        raise OSError("SMTP server unreachable")

    monkeypatch.setattr("accounts.forms.InvitationAwarePasswordResetForm.send_mail", refuse)
    response = client.post(RESET, {"email": cast.owner.email})
    assert response.status_code == 302 and response["Location"] == reverse("password_reset_done")
    assert "Work after the response failed" in caplog.text


@pytest.mark.parametrize("email", ["owner@a.example.org", "nobody@example.org"])
def test_requests_for_one_address_are_limited_alike_whether_or_not_it_has_an_account(
    cast, settings, email, django_capture_on_commit_callbacks
):
    answers = []
    with django_capture_on_commit_callbacks(execute=True):
        for attempt in range(settings.PASSWORD_RESET_MAX_PER_EMAIL + 1):
            # From a new client address each time: the limit follows the e-mail address.
            answers.append(Client().post(RESET, {"email": email}, REMOTE_ADDR=f"192.0.2.{attempt + 1}"))
    assert [answer.status_code for answer in answers[:-1]] == [302] * settings.PASSWORD_RESET_MAX_PER_EMAIL
    refused = answers[-1]
    assert refused.status_code == 429
    assert "Too many requests for a new password" in refused.content.decode()
    assert len(mail.outbox) == (settings.PASSWORD_RESET_MAX_PER_EMAIL if email == cast.owner.email else 0)


def test_the_refusal_is_the_same_page_for_a_known_and_an_unknown_address(
    cast, settings, django_capture_on_commit_callbacks
):
    settings.PASSWORD_RESET_MAX_PER_EMAIL = 0
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post(RESET, {"email": cast.owner.email}, REMOTE_ADDR="192.0.2.1")
        unknown = Client().post(RESET, {"email": "nobody@example.org"}, REMOTE_ADDR="192.0.2.2")
    assert known.status_code == unknown.status_code == 429
    assert _without_csrf_token(known.content).replace(cast.owner.email, "X") == _without_csrf_token(
        unknown.content
    ).replace("nobody@example.org", "X")
    assert mail.outbox == []


def test_requests_from_one_client_are_limited_whatever_the_address(cast, settings, django_capture_on_commit_callbacks):
    client = Client()
    for attempt in range(settings.PASSWORD_RESET_MAX_PER_CLIENT):
        response = client.post(RESET, {"email": f"person{attempt}@example.org"}, REMOTE_ADDR="192.0.2.50")
        assert response.status_code == 302
    with django_capture_on_commit_callbacks(execute=True):
        refused = client.post(RESET, {"email": cast.owner.email}, REMOTE_ADDR="192.0.2.50")
    assert refused.status_code == 429 and mail.outbox == []
    assert Client().post(RESET, {"email": cast.owner.email}, REMOTE_ADDR="192.0.2.51").status_code == 302


def test_behind_a_trusted_proxy_the_client_limit_follows_the_real_client(cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    for attempt in range(settings.PASSWORD_RESET_MAX_PER_CLIENT + 1):
        response = Client().post(
            RESET,
            {"email": f"person{attempt}@example.org"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"198.51.100.{attempt + 1}",
        )
        assert response.status_code == 302, "the load balancer's own address is not the client"


# --- (b) the per-account lock -------------------------------------------------------------------


def _fail_from_many_addresses(email: str, count: int, **extra) -> list[int]:
    return [
        Client()
        .post(LOGIN, {"username": email, "password": f"guess {n}"}, REMOTE_ADDR=f"203.0.113.{n + 1}", **extra)
        .status_code
        for n in range(count)
    ]


def test_a_spray_from_many_addresses_locks_the_account_even_for_the_right_password(cast, settings):
    assert settings.LOGIN_ACCOUNT_FAILURE_LIMIT > settings.AXES_FAILURE_LIMIT
    statuses = _fail_from_many_addresses(cast.owner.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    assert statuses == [200] * settings.LOGIN_ACCOUNT_FAILURE_LIMIT, "no address failed often enough for axes"
    client = Client()
    locked = client.post(LOGIN, {"username": cast.owner.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert locked.status_code == 429 and "Account locked" in locked.content.decode()
    assert SESSION_KEY not in client.session
    # Other accounts, from the same address, are not affected.
    other = Client().post(
        LOGIN, {"username": cast.colleague_same_state.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7"
    )
    assert other.status_code == 302


def test_failures_short_of_the_account_limit_leave_the_account_open(cast, settings):
    _fail_from_many_addresses(cast.owner.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT - 1)
    response = Client().post(LOGIN, {"username": cast.owner.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302


def test_behind_a_trusted_proxy_a_spray_from_many_clients_locks_the_account(cast, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    statuses = [
        Client()
        .post(
            LOGIN,
            {"username": cast.owner.email, "password": f"guess {n}"},
            REMOTE_ADDR="10.0.0.254",
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n + 1}",
        )
        .status_code
        for n in range(settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    ]
    assert statuses == [200] * settings.LOGIN_ACCOUNT_FAILURE_LIMIT
    locked = Client().post(
        LOGIN,
        {"username": cast.owner.email, "password": PASSWORD},
        REMOTE_ADDR="10.0.0.254",
        HTTP_X_FORWARDED_FOR="198.51.100.7",
    )
    assert locked.status_code == 429


def test_the_account_limit_is_read_from_settings(cast, settings):
    settings.LOGIN_ACCOUNT_FAILURE_LIMIT = 7
    _fail_from_many_addresses(cast.owner.email, 7)
    response = Client().post(LOGIN, {"username": cast.owner.email, "password": PASSWORD}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 429


def test_setting_a_password_from_a_link_opens_a_locked_account(cast, settings, django_capture_on_commit_callbacks):
    _fail_from_many_addresses(cast.owner.email, settings.LOGIN_ACCOUNT_FAILURE_LIMIT)
    client = Client()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(RESET, {"email": cast.owner.email}, REMOTE_ADDR="198.51.100.7")
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/)", mail.outbox[-1].body).group(1)
    form_page = client.get(path, follow=True).redirect_chain[-1][0]
    new = "a brand new password 2026"
    assert client.post(form_page, {"new_password1": new, "new_password2": new}).status_code == 302
    response = Client().post(LOGIN, {"username": cast.owner.email, "password": new}, REMOTE_ADDR="198.51.100.7")
    assert response.status_code == 302
