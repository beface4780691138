from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import public, public_past_second_factor
from portal.attention import attention_for


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
