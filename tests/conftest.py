"""The fixed cast every access test uses: focal points of State A (two) and B, the secretariat, anonymous."""

from dataclasses import dataclass

import pytest
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY

from tests.factories import FocalPointFactory, SecretariatFactory, country
from tests.second_factor import authenticator_of

PASSWORD = "correct horse battery staple"
STATE_A = "KEN"
STATE_B = "FRA"


@dataclass
class Cast:
    owner: object
    colleague_same_state: object
    focal_point_other_state: object
    secretariat: object

    def client_for(self, who: str) -> Client:
        if who == "anonymous":
            return Client()
        return signed_in_client(getattr(self, who))


def signed_in_client(user) -> Client:
    """A test client signed in as USER, past every step the portal asks of that user at sign-in.

    Every test that needs a signed-in secretariat member goes through here (or `Cast.client_for`), so
    that a step added to the secretariat's sign-in is added once, here. A secretariat member's session is
    verified by an authenticator app (one is set up for the member if there is none), as the second
    factor's page leaves it: the device recorded in the session as `django_otp.login` does, which the
    OTPMiddleware checks on every request (tests/accounts/test_second_factor.py drives the page itself).
    """
    client = Client()
    client.force_login(user)
    if user.is_secretariat:
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = authenticator_of(user).persistent_id
        session.save()
    return client


@pytest.fixture
def state_a():
    return country(STATE_A)


@pytest.fixture
def state_b():
    return country(STATE_B)


@pytest.fixture
def cast(db, state_a, state_b) -> Cast:
    return Cast(
        owner=FocalPointFactory(email="owner@a.example.org", state=state_a),
        colleague_same_state=FocalPointFactory(email="colleague@a.example.org", state=state_a),
        focal_point_other_state=FocalPointFactory(email="focal@b.example.org", state=state_b),
        secretariat=SecretariatFactory(email="staff@secretariat.example.org"),
    )


@pytest.fixture
def run_manage(monkeypatch):
    """Run `manage.py ARGS` as the shell would and return its exit status.

    Django closes every database connection when a command run from the command line ends; the
    test database must outlive it, so the closing is skipped here (only that, nothing else).
    """
    from django.core.management import execute_from_command_line
    from django.db import connections

    monkeypatch.setattr(connections, "close_all", lambda: None)

    def _run(*args: str) -> int:
        try:
            execute_from_command_line(["manage.py", *args])
        except SystemExit as exit_status:
            return int(exit_status.code or 0)
        return 0

    return _run


@pytest.fixture(autouse=True)
def _empty_cache():
    """Throttles and lockouts count in the cache, which outlives a test's database transaction."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture(autouse=True)
def _fresh_roster_arrays():
    """Each test's database starts again at the same roster version, so arrays built for an earlier test must not
    be taken for this one's."""
    from matching.services import ROSTER_CACHE

    ROSTER_CACHE.clear()


@pytest.fixture(autouse=True)
def _english_by_default():
    """A request in another language leaves it active in the thread; each test starts in English."""
    from django.utils import translation

    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture(autouse=True)
def _reproducible_factories(request):
    """Generated names and values depend on the test, not on the run, so a failure can be replayed."""
    import factory.random

    factory.random.reseed_random(request.node.nodeid)
