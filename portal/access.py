"""The role gates: every page outside the restricted admin names, on its first line, who may open it.

A gate decides who may reach a page at all; the scoped selector the view calls next decides which
records that person sees, so another State's record answers 404 exactly like an absent one. A
signed-in person whom a gate turns away also gets a 404, never a 403: a refusal would confirm that
the page exists for someone else. The secretariat's second factor is to be enforced here.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

View = Callable[..., HttpResponse]

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


def _anyone(request: HttpRequest) -> None:
    return None


def _focal_point_or_secretariat(request: HttpRequest) -> HttpResponse | None:
    user = request.user
    if not user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if not (getattr(user, "is_focal_point", False) or getattr(user, "is_secretariat", False)):
        raise Http404
    return None


def _expert_link(request: HttpRequest) -> None:
    # Only a session opened by the expert's own link; who it belongs to is the view's first read.
    if not isinstance(request.session.get(EXPERT_SESSION_KEY), dict):
        raise Http404


public = _gate("public", _anyone)
"""Open to anyone: sign-in, password reset, the expert's one-time link itself."""

focal_point_or_secretariat_required = _gate("focal_point_or_secretariat", _focal_point_or_secretariat)
"""A signed-in focal point (its own State's records) or secretariat member (all); others sign in first."""

expert_link_required = _gate("expert_link", _expert_link)
"""The expert's own pages, opened by the link in their mail; no account is involved."""
