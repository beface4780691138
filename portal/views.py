from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_GET, require_POST

from portal.access import focal_point_or_secretariat_required, public, public_past_second_factor
from portal.attention import attention_for
from portal.kept_input import input_keep


@public_past_second_factor
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """A focal point's or the secretariat's starting page; to anyone else, what the portal is, who may use it
    and how to get an account (issue 12, item 9)."""
    context = {
        "user": request.user,
        "attention": attention_for(user=request.user),
        "contact_email": settings.CONTACT_EMAIL,
    }
    return render(request, "home.html", context)


@public
@require_GET
def privacy(request: HttpRequest) -> HttpResponse:
    return render(request, "privacy.html", {"contact_email": settings.CONTACT_EMAIL})


@public
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # the probe must answer, whatever the database says
        return JsonResponse({"status": "error", "database": "error", "detail": type(exc).__name__}, status=503)
    return JsonResponse({"status": "ok", "database": "ok"})


@focal_point_or_secretariat_required
@require_POST
def session_extend(request: HttpRequest) -> HttpResponse:
    """The "stay signed in" button of static/js/session.js: a request is activity, the session starts again."""
    return HttpResponse(status=204)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """A form posted with a token that is no longer valid, most often because the person signed in again in
    another tab: the portal's own page, never Django's technical one, with the input kept when the form allows."""
    kept = request.user.is_authenticated and input_keep(request=request)
    referer = request.headers.get("referer", "")
    host, secure = request.get_host(), request.is_secure()
    ours = url_has_allowed_host_and_scheme(referer, allowed_hosts={host}, require_https=secure)
    if kept:
        back = request.path
    elif ours:
        back = referer
    else:
        back = reverse("home")
    return render(request, "403_csrf.html", {"kept": kept, "back": back}, status=403)
