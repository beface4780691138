from django.urls import path
from django.utils.translation import gettext_lazy as _

from dashboard import views

urlpatterns = [path("dashboard/", views.dashboard_view, name="dashboard")]
# Listed on the restricted admin's index page (portal/admin_site.py).
menu = [("dashboard", _("Dashboard"))]
