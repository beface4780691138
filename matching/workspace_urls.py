"""Assignment runs in the secretariat's workspace (/secretariat/workspace/…, named admin:<name>)."""

from django.urls import path
from django.utils.translation import gettext_lazy as _

from matching import views

urlpatterns = [
    path("assignment-runs/", views.run_list, name="matching_run_list"),
    path("assignment-runs/start/", views.run_start, name="matching_run_start"),
    path("assignment-runs/<int:pk>/", views.run_detail, name="matching_run_detail"),
    path("assignment-runs/<int:pk>/status/", views.run_status, name="matching_run_status"),
    path("assignment-runs/<int:pk>/accept/", views.run_accept, name="matching_run_accept"),
]
# Listed on the restricted admin's index page (portal/admin_site.py).
menu = [("matching_run_list", _("Assignment runs"))]
