from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from portal import views
from portal.access import public

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("privacy/", views.privacy, name="privacy"),
    path("session/extend/", views.session_extend, name="session_extend"),
    path("accounts/", include("accounts.urls")),
    path("i18n/setlang/", public(set_language), name="set_language"),
    path("nominations/", include("roster.urls")),
    path("expert/", include("roster.expert_urls")),
    path("availability/", include("review.urls")),
    path("needs/", include("needs.urls")),
    path("feedback/", include("feedback.urls")),
    path("secretariat/", admin.site.urls),
    path("api/v1/", include("stats.api_urls")),
    path("statistics/", include("stats.urls")),
]
