from django.contrib import admin
from django.urls import include, path

from portal import views

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("accounts/", include("accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("nominations/", include("roster.urls")),
    path("expert/", include("roster.expert_urls")),
    path("needs/", include("needs.urls")),
    path("secretariat/", admin.site.urls),
]
