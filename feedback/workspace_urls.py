from django.urls import path
from django.utils.translation import gettext_lazy as _

from feedback import workspace_views

urlpatterns = [
    path("deployments/", workspace_views.deployments, name="feedback_deployments"),
    path(
        "deployments/<int:entry_id>/rating-request/",
        workspace_views.rating_request,
        name="feedback_rating_request",
    ),
]

menu = [("feedback_deployments", _("Deployments and ratings"))]
