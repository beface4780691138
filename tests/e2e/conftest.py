"""Browser tests: pytest-playwright driving Debian's Chromium against live_server.

No browser is ever downloaded. Without Chromium the tests skip with the reason, unless
E2E_REQUIRED=1 (as in CI), where a missing browser is a failure.
"""

import os
import shutil
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import PASSWORD
from tests.second_factor import authenticator_of, code_now

# Playwright's sync API keeps an event loop running in the test thread; the ORM calls made by the
# tests themselves are still synchronous, so Django's guard against async misuse does not apply.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_FLAGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/e2e/" in str(item.fspath).replace(os.sep, "/"):
            item.add_marker(pytest.mark.e2e)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    if not Path(CHROMIUM).exists():
        reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium or set CHROMIUM_PATH)"
        if os.environ.get("E2E_REQUIRED") == "1":
            pytest.fail(reason + "; E2E_REQUIRED=1 makes this a failure")
        pytest.skip(reason)
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_FLAGS, "headless": True}


@pytest.fixture(autouse=True)
def _reference_data(transactional_db):
    """Browser tests run against live_server in transactional tests, and Django empties every table
    after each of them (serialized rollback does not restore the data here, pytest-django #1117), so
    the reference data that migrations loaded is loaded again before each test when it is missing."""
    from django.apps import apps

    from reference.loading import load_all
    from reference.models import Country

    if not Country.objects.exists():
        load_all(apps)


@pytest.fixture(autouse=True)
def _server_quiet_before_flush(transactional_db):
    """Wait, after each test, until the live server has answered every request the page sent.

    A page may still be posting (the nomination form saves drafts as the user goes) when the test
    ends; closing the page does not stop the server's thread, and Django's flush after the test then
    races that request: on SQLite the flush fails and the next test starts with the last one's data.
    Set up before the page, this fixture is torn down after it is closed and before the flush."""
    from django.core.signals import request_finished, request_started

    lock = threading.Lock()
    in_flight = [0]

    def started(**kwargs):
        with lock:
            in_flight[0] += 1

    def finished(**kwargs):
        with lock:
            in_flight[0] -= 1

    request_started.connect(started, weak=False)
    request_finished.connect(finished, weak=False)
    yield
    deadline = time.monotonic() + 10
    while in_flight[0] > 0 and time.monotonic() < deadline:
        time.sleep(0.02)
    request_started.disconnect(started)
    request_finished.disconnect(finished)


@pytest.fixture(scope="session")
def base_url(live_server):
    return live_server.url


@pytest.fixture
def sign_in(page, live_server):
    """Sign in through the login page as a person would; a secretariat member then types the code of
    the authenticator app (one is set up for the member if there is none), unless second_factor=False
    (the test then drives the second factor's page itself)."""
    from accounts.models import User

    def _sign_in(email: str, password: str = PASSWORD, *, second_factor: bool = True) -> None:
        user = User.objects.filter(email=email).first()
        device = authenticator_of(user) if second_factor and user is not None and user.is_secretariat else None
        page.goto(f"{live_server.url}/accounts/login/")
        page.get_by_label("E-mail address").fill(email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Sign in").click()
        if device is not None:
            heading = page.get_by_role("heading", name="Second factor", exact=True)
            heading.wait_for()
            page.get_by_label("Code").fill(code_now(device))
            page.get_by_role("button", name="Verify").click()
            heading.wait_for(state="detached")

    return _sign_in
