from django.urls import path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from stats.api import ExpertStatsView, NeedStatsView

app_name = "api"

urlpatterns = [
    path("stats/experts/", ExpertStatsView.as_view(), name="stats_experts"),
    path("stats/needs/", NeedStatsView.as_view(), name="stats_needs"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]
