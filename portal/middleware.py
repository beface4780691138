from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control


class NoStoreMiddleware:
    """Every page the portal renders is kept out of browser and shared caches (`no-store, private`).

    Almost every page shows personal data (experts, needs, accounts, an expert's own record, CSV
    exports, CVs), and a page that shows none today may show some tomorrow: a list of exceptions
    would be one more thing to forget. Static files never reach this middleware (WhiteNoise, above
    it, answers them with their own long-lived headers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        patch_cache_control(response, no_store=True, private=True)
        return response


SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
# When the session's idle period last started again, in seconds since the epoch.
IDLE_FROM = "portal_idle_from"


def _now() -> float:
    # Django's clock, by which the session's own expiry is set.
    return timezone.now().timestamp()


def _restart_every() -> int:
    # A minute, or a thirtieth of a shorter idle period (the browser tests' few seconds: every request).
    return min(60, settings.SESSION_COOKIE_AGE // 30)


def session_seconds_left(request: HttpRequest) -> int:
    """How long the session lasts without activity from now: what the page's warning counts down."""
    started = request.session.get(IDLE_FROM)
    if started is None:
        return settings.SESSION_COOKIE_AGE
    return max(1, settings.SESSION_COOKIE_AGE - int(_now() - started))


class SessionIdleMiddleware:
    """Activity starts a session's idle period (SESSION_COOKIE_AGE) again, with one write a minute at most.

    A session ends SESSION_COOKIE_AGE after it was last saved. Saving it on every request (Django's
    SESSION_SAVE_EVERY_REQUEST) made every page view an UPDATE and a commit of the session table, a few
    milliseconds of each request and a queue of commits under load (issue 13). Here a request that may change
    something (a POST: a form, "stay signed in", the CV template's autosave) always starts the period again; a
    page read does once the last start is a minute old. A session therefore ends after SESSION_COOKIE_AGE
    without activity, or at most a minute sooner, never later; each page tells its warning the time actually
    left (session_seconds_left). A session saved for another reason (signing in) starts its period then too.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = request.session
        started = session.get(IDLE_FROM)
        restarted = False
        # A session the browser names but the store does not hold has no key once read: nothing to keep going.
        if session.session_key is not None and (
            request.method not in SAFE_METHODS or started is None or _now() - started >= _restart_every()
        ):
            session[IDLE_FROM] = _now()
            restarted = True
        response = self.get_response(request)
        # Saved anyway (signed in, kept input): the period starts with the save. A flushed session (signed out)
        # is empty and stays so.
        if session.modified and not restarted and not session.is_empty():
            session[IDLE_FROM] = _now()
        return response
