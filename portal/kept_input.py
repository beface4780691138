"""What a person typed into a form survives a session that ended before they saved (issue 12, item 2).

A form opts in by carrying `{% keep_input_field %}`: a hidden field naming, signed, the person it was shown
to. When such a form is posted after the session ended (the gate sends the person to sign in) or with a stale
CSRF token (signed in again in another tab), its fields are kept in the session, server-side, for the same
path. Signing in keeps the session's data (Django cycles the key); the form page then takes the input back and
shows it, bound, for the person to check and save: nothing is ever saved without them pressing the button.
Only the person the form was shown to gets it back, and only for a while. Files cannot be kept: a browser
never lets a page fill a file field, so the page names the files to choose again.
"""

from dataclasses import dataclass

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, QueryDict
from django.utils import timezone

FIELD = "kept_input_owner"
SESSION_KEY = "kept_input"
_SALT = "portal.kept_input"
# Bigger posts are not kept in the session (the CV template with all its rows is about 10 KB).
MAX_CHARACTERS = 200_000
# Never part of what is offered back: the token of the old page, the button pressed, the owner's own field.
_DROPPED = {"csrfmiddlewaretoken", FIELD}


@dataclass(frozen=True)
class KeptInput:
    data: QueryDict
    file_names: list[str]
    kept_at: str


def keep_input_owner_token(*, user_pk: int) -> str:
    return signing.dumps(user_pk, salt=_SALT, compress=True)


def _owner(request: HttpRequest) -> int | None:
    # The form lives at most a day (a longer absence is not an interruption), and a session's worth after that.
    max_age = 24 * 3600 + settings.SESSION_COOKIE_AGE
    try:
        return int(signing.loads(request.POST.get(FIELD, ""), salt=_SALT, max_age=max_age))
    except (signing.BadSignature, TypeError, ValueError):
        return None


def input_keep(*, request: HttpRequest) -> bool:
    """Keep the posted fields of an opted-in form for its owner, in this browser's session; True if kept."""
    if request.method != "POST":
        return False
    owner = _owner(request)
    if owner is None:
        return False
    data = {name: request.POST.getlist(name) for name in request.POST if name not in _DROPPED}
    if sum(len(value) for values in data.values() for value in values) > MAX_CHARACTERS:
        return False
    request.session[SESSION_KEY] = {
        "path": request.path,
        "owner": owner,
        "data": data,
        "files": sorted({upload.name for upload in request.FILES.values()}),
        "kept_at": timezone.now().isoformat(),
    }
    return True


def input_kept_for(*, request: HttpRequest) -> bool:
    """Whether this browser holds kept input (the sign-in page says so)."""
    return isinstance(request.session.get(SESSION_KEY), dict)


def input_take(*, request: HttpRequest) -> KeptInput | None:
    """The input kept for this page and this signed-in person, once; None if there is none."""
    entry = request.session.get(SESSION_KEY)
    if not isinstance(entry, dict) or entry.get("path") != request.path:
        return None
    if entry.get("owner") != request.user.pk:
        return None
    del request.session[SESSION_KEY]
    data = QueryDict(mutable=True)
    for name, values in entry["data"].items():
        data.setlist(name, values)
    data._mutable = False
    return KeptInput(data=data, file_names=list(entry["files"]), kept_at=entry["kept_at"])
