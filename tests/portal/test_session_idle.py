"""A session ends after SESSION_COOKIE_AGE without activity, never later, and is written once a minute at most while
pages are only read (issue 13: a write and a commit of the session table on every page view)."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def _session_writes(client, method: str, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert getattr(client, method)(url).status_code in (200, 204)
    return sum(
        1 for query in queries.captured_queries if "django_session" in query["sql"] and "SELECT" not in query["sql"]
    )


def _later(monkeypatch, seconds: int) -> None:
    moment = timezone.now() + timedelta(seconds=seconds)
    monkeypatch.setattr("django.utils.timezone.now", lambda: moment)


def test_reading_pages_writes_the_session_once_a_minute_and_keeps_it_going(cast, monkeypatch, settings):
    client = cast.client_for("owner")
    home = reverse("roster:expert_list")
    assert _session_writes(client, "get", home) == 1  # the idle period starts
    assert _session_writes(client, "get", home) == 0
    _later(monkeypatch, 59)
    assert _session_writes(client, "get", home) == 0
    _later(monkeypatch, 61)
    assert _session_writes(client, "get", home) == 1
    # Never later than the idle period after the last page read.
    assert Session.objects.get().expire_date <= timezone.now() + timedelta(seconds=settings.SESSION_COOKIE_AGE)


def test_a_post_always_starts_the_idle_period_again(cast):
    client = cast.client_for("owner")
    client.get(reverse("roster:expert_list"))
    assert _session_writes(client, "post", reverse("session_extend")) == 1
    assert _session_writes(client, "post", reverse("session_extend")) == 1


def test_the_page_tells_its_warning_the_time_actually_left(cast, monkeypatch, settings):
    settings.SESSION_COOKIE_AGE = 900
    client = cast.client_for("owner")
    assert 'data-seconds="900"' in client.get(reverse("home")).content.decode()
    _later(monkeypatch, 25)  # within the thirtieth of 900 seconds: not written again
    assert 'data-seconds="875"' in client.get(reverse("home")).content.decode()
    _later(monkeypatch, 40)  # written again: the whole period is left
    assert 'data-seconds="900"' in client.get(reverse("home")).content.decode()


def test_signing_out_leaves_no_session_behind(cast):
    client = cast.client_for("owner")
    client.get(reverse("roster:expert_list"))
    client.post(reverse("logout"))
    assert not Session.objects.exists()
    assert client.get(reverse("roster:expert_list")).status_code == 302
