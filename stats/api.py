"""The statistics REST API: aggregates under disclosure control, for clients holding a key."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.exceptions import APIException
from rest_framework.renderers import JSONRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from stats.authentication import ApiClientAuthentication, ApiClientRateThrottle, IsApiClient
from stats.dimensions import COVERAGE_MIN_EXPERTS, DIMENSIONS, stats_query_parse
from stats.disclosure import MINIMUM_THRESHOLD, ROUNDING_BASE
from stats.models import Measure
from stats.selectors import stats_answer_cached, stats_query_cells, stats_snapshot_latest, stats_table
from stats.services import api_client_cells_charge


class QuotaExceeded(APIException):
    status_code = status.HTTP_429_TOO_MANY_REQUESTS
    default_detail = _("This key's quota of distinct cells for today is used up.")
    default_code = "quota_exceeded"


class StatsUnavailable(APIException):
    status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    default_detail = _("Statistics are not available yet.")
    default_code = "stats_unavailable"


class CellSerializer(serializers.Serializer):
    value = serializers.IntegerField(
        allow_null=True, min_value=MINIMUM_THRESHOLD, help_text="a multiple of 5; null when suppressed"
    )
    suppressed = serializers.BooleanField()


class RowSerializer(CellSerializer):
    key = serializers.CharField(help_text="the public code")
    label = serializers.CharField(help_text="the code's name, in the language asked for when translated")


class TableSerializer(serializers.Serializer):
    as_of = serializers.DateTimeField(help_text="when the figures were counted")
    measure = serializers.ChoiceField(choices=Measure.choices)
    group_by = serializers.CharField(allow_null=True)
    filters = serializers.DictField(child=serializers.CharField())
    threshold = serializers.IntegerField(min_value=MINIMUM_THRESHOLD)
    rounding = serializers.IntegerField(min_value=ROUNDING_BASE, max_value=ROUNDING_BASE)
    total = CellSerializer(help_text="rounded on its own, never the sum of the rows")
    rows = RowSerializer(many=True, help_text="every code of the group-by dimension, in a stable order")


class ErrorSerializer(serializers.Serializer):
    detail = serializers.CharField()


def _parameters(measure: str) -> list[OpenApiParameter]:
    dimensions = DIMENSIONS[measure]
    parameters = [
        OpenApiParameter(
            "group_by",
            OpenApiTypes.STR,
            enum=[d.name for d in dimensions],
            description="the dimension to break the figure down by; every code of it appears in `rows`",
        )
    ]
    if measure == Measure.COVERAGE:
        parameters.append(
            OpenApiParameter(
                "min_experts",
                OpenApiTypes.STR,
                enum=list(COVERAGE_MIN_EXPERTS),
                description="count the open needs with at least this many qualified experts (default 1)",
            )
        )
    else:
        for d in dimensions:
            parameters.append(
                OpenApiParameter(
                    d.name,
                    OpenApiTypes.STR,
                    enum=None if d.pattern else [code for code, _label in d.codes()],
                    pattern=d.pattern,
                    description=f"equality filter: {d.description} (at most two filters)",
                )
            )
    return parameters


_ERRORS = {
    400: ErrorSerializer,
    401: ErrorSerializer,
    429: ErrorSerializer,
    503: ErrorSerializer,
}


class StatsView(APIView):
    authentication_classes = [ApiClientAuthentication]
    permission_classes = [IsApiClient]
    throttle_classes = [ApiClientRateThrottle]
    renderer_classes = [JSONRenderer]
    measure: str

    def get(self, request: Request) -> Response:
        query = stats_query_parse(measure=self.measure, params=dict(request.query_params.lists()))
        cached = stats_answer_cached(query=query, client=request.auth)
        table = cached.table
        if table is None:
            snapshot = stats_snapshot_latest()
            if snapshot is None:
                raise StatsUnavailable()
            table = stats_table(snapshot=snapshot, query=query)
        cells = stats_query_cells(query)
        if not cached.answered and not api_client_cells_charge(client=request.auth, measure=self.measure, cells=cells):
            raise QuotaExceeded()
        return Response(table)


def _documented(measure: str, summary: str) -> type[StatsView]:
    view = type(f"{measure.title()}StatsView", (StatsView,), {"measure": measure})
    # extend_schema_view copies the inherited method, so that each measure documents its own parameters.
    schema = extend_schema(
        operation_id=f"stats_{measure}",
        summary=summary,
        parameters=_parameters(measure),
        responses={200: TableSerializer, **_ERRORS},
    )
    return extend_schema_view(get=schema)(view)


ExpertStatsView = _documented(
    Measure.EXPERTS, "Active, consenting experts (distinct persons), under disclosure control"
)
NeedStatsView = _documented(Measure.NEEDS, "Technical assistance needs, under disclosure control")
CoverageStatsView = _documented(
    Measure.COVERAGE, "Open needs with at least min_experts qualified experts, under disclosure control"
)
