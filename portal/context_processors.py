"""What every page's template may need to keep a person's work: the session's length and the kept-input token."""

from typing import Any

from django.http import HttpRequest

from portal.access import second_factor_done
from portal.kept_input import FIELD, keep_input_owner_token
from portal.middleware import session_seconds_left


def kept_work(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    # Between the password and the second factor nobody is signed in yet: no work to keep, no script on the page.
    if getattr(user, "is_secretariat", False) and not second_factor_done(user):
        return {}
    return {
        "session_idle_seconds": session_seconds_left(request),
        "kept_input_field": FIELD,
        # A callable: signed only on the pages whose forms carry it.
        "kept_input_token": lambda: keep_input_owner_token(user_pk=user.pk),
    }
