from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from portal.access import public
from stats.api import CoverageStatsView, ExpertStatsView, NeedStatsView

app_name = "api"

# The schema and its documentation are open to anyone. The statistics check their own credential, the client's
# key, in the view (stats.authentication, 401 without a live one), as the expert's one-time link checks its token.
urlpatterns = [
    path("stats/experts/", public(ExpertStatsView.as_view()), name="stats_experts"),
    path("stats/needs/", public(NeedStatsView.as_view()), name="stats_needs"),
    path("stats/coverage/", public(CoverageStatsView.as_view()), name="stats_coverage"),
    path("schema/", public(SpectacularAPIView.as_view()), name="schema"),
    path("docs/", public(SpectacularSwaggerSplitView.as_view(url_name="api:schema")), name="docs"),
]
