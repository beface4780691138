"""The role gates: every page outside the restricted admin names, on its first line, who may open it.

A gate decides who may reach a page at all; the scoped selector the view calls next decides which
records that person sees, so another State's record answers 404 exactly like an absent one. A
signed-in person whom a gate turns away also gets a 404, never a 403: a refusal would confirm that
the page exists for someone else.

The secretariat's second factor is enforced here too (`second_factor_pending`), for these gates and
for the restricted admin's: a secretariat member signed in with a password alone is sent to the
second factor's step (to enrolment when there is no device yet) and sees no data before it.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django_otp import user_has_device

from portal.kept_input import input_keep

View = Callable[..., HttpResponse]

# The group of the secretariat's accounts (accounts.services keeps its permissions complete): the
# restricted admin admits its members only, so a staff account left outside it opens nothing there.
SECRETARIAT_GROUP = "Secretariat"

# The session entry that a confirmation link opens for the expert it was sent to.
EXPERT_SESSION_KEY = "expert_self"


def _gate(name: str, admits: Callable[[HttpRequest], HttpResponse | None]) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def gated(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            refusal = admits(request)
            if refusal is not None:
                return refusal
            return view(request, *args, **kwargs)

        # Read by the test that walks every URL: a page without a gate fails the suite.
        gated.access_gate = name  # type: ignore[attr-defined]
        return gated

    return decorator


def secretariat_only(user: Any, *, operator_allowed: bool = False) -> None:
    """The services' and selectors' own check, beneath the gates: PermissionDenied unless `user` is a member of
    the secretariat. With operator_allowed, None (an operator at the server's command line) passes too."""
    if operator_allowed and user is None:
        return
    if not getattr(user, "is_secretariat", False):
        raise PermissionDenied


def second_factor_done(user: Any) -> bool:
    """The session's second factor was given (django-otp's OTPMiddleware says which device verified it)."""
    is_verified = getattr(user, "is_verified", None)
    return bool(is_verified is not None and is_verified())


def second_factor_pending(request: HttpRequest) -> HttpResponse | None:
    """For a secretariat member who has not given the second factor in this session: the way to it.

    The code is asked when there is a confirmed device, enrolment offered when there is none; the
    page asked for comes back afterwards. Anyone else passes (None): the second factor is the
    secretariat's, and who may see what is for the gates to decide.
    """
    user = request.user
    if not getattr(user, "is_secretariat", False) or second_factor_done(user):
        return None
    step = "second_factor" if user_has_device(user) else "second_factor_enrol"
    return redirect_to_login(request.get_full_path(), reverse(step))


def _anyone(request: HttpRequest) -> None:
    return None


KEPT_AT_SIGN_IN = _(
    "Your session had ended, so nothing was saved. Sign in again: what you typed is kept and shown to you "
    "to check and save."
)


def _focal_point_or_secretariat(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        if input_keep(request=request):
            messages.info(request, KEPT_AT_SIGN_IN)
        return redirect_to_login(request.get_full_path())
    if not (getattr(user, "is_focal_point", False) or getattr(user, "is_secretariat", False)):
        raise Http404
    return second_factor_pending(request)


def _secretariat_signing_in(request: HttpRequest) -> None | HttpResponse:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not getattr(user, "is_secretariat", False):
        raise Http404
    return None


def _expert_link(request: HttpRequest) -> None:
    # Only a session opened by the expert's own link; who it belongs to is the view's first read.
    if not isinstance(request.session.get(EXPERT_SESSION_KEY), dict):
        raise Http404


public = _gate("public", _anyone)
"""Open to anyone: sign-in, password reset, the expert's one-time link itself."""

public_past_second_factor = _gate("public", second_factor_pending)
"""Open to anyone, like `public`, but a secretariat member who has not given the second factor in this session
is sent to it first: the home page shows a signed-in person their work (the secretariat's queues among it)."""

focal_point_or_secretariat_required = _gate("focal_point_or_secretariat", _focal_point_or_secretariat)
"""A signed-in focal point (its own State's records) or secretariat member (all, once past the second
factor); others sign in first."""

second_factor_step = _gate("second_factor_step", _secretariat_signing_in)
"""The second factor's own pages: a secretariat member signed in with a password, before or after the code."""

expert_link_required = _gate("expert_link", _expert_link)
"""The expert's own pages, opened by the link in their mail; no account is involved."""
