"""Opening an expert's full record from the secretariat's workspace: the need or reason that justifies it.

The workspace never links straight to a record: its link asks first for the need (or a reason), which is held in
the member's session for that one expert for a few minutes, and written into the audit row of every opening.
A record reached from a workspace page without it is refused. Reached from the admin's own lists, a record is
opened as before (audited, without a justification).
"""

from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

SESSION_KEY = "expert_record_justification"
HELD_FOR = timedelta(minutes=10)
WORKSPACE_MARK = "workspace"


def record_justification_hold(request: HttpRequest, *, justification: dict[str, Any]) -> None:
    request.session[SESSION_KEY] = {**justification, "held_at": timezone.now().isoformat()}


def record_justification_held(request: HttpRequest, *, expert_id: int) -> dict[str, Any] | None:
    """The justification held for this expert, while it holds; None otherwise."""
    held = request.session.get(SESSION_KEY)
    if not isinstance(held, dict) or held.get("expert") != expert_id:
        return None
    try:
        fresh = timezone.now() - datetime.fromisoformat(held["held_at"]) < HELD_FOR
    except (KeyError, TypeError, ValueError):
        fresh = False
    return {key: held.get(key) for key in ("need", "reason")} if fresh else None


def record_reached_from_workspace(request: HttpRequest) -> bool:
    """The workspace marks its links (?via=workspace); a browser that sends the page it came from says so too."""
    if request.GET.get("via") == WORKSPACE_MARK:
        return True
    workspace = reverse("admin:index") + "workspace/"
    return urlsplit(request.headers.get("Referer", "")).path.startswith(workspace)
