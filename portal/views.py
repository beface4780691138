from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from portal.access import focal_point_or_secretariat_required, public
from portal.attention import attention_for


@focal_point_or_secretariat_required
@require_GET
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "home.html", {"user": request.user, "attention": attention_for(user=request.user)})


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
