"""The public statistics page: the API's own figures, as a chart and a table, in the portal's languages."""

from django.core.exceptions import BadRequest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from rest_framework.exceptions import ParseError

from portal.access import public
from portal.charts import bar_chart
from stats.dimensions import DIMENSIONS, stats_query_parse
from stats.models import Measure
from stats.selectors import stats_snapshot_latest, stats_table

PAGE_MEASURES = (Measure.EXPERTS, Measure.NEEDS)


@public
@require_GET
def statistics(request: HttpRequest) -> HttpResponse:
    """One breakdown at a time and no filters: the page publishes only one-dimension cells, whose totals the
    API publishes too, so that anyone may read it without a key or a quota."""
    measure = request.GET.get("measure", Measure.EXPERTS)
    if measure not in PAGE_MEASURES or set(request.GET) - {"measure", "group_by"}:
        raise BadRequest
    group_by = request.GET.get("group_by", DIMENSIONS[measure][0].name)
    try:
        query = stats_query_parse(measure=measure, params={"group_by": [group_by]})
    except ParseError as exc:
        raise BadRequest from exc
    snapshot = stats_snapshot_latest()
    table = stats_table(snapshot=snapshot, query=query) if snapshot is not None else None
    return render(
        request,
        "stats/statistics.html",
        {
            "measures": [(m, Measure(m).label) for m in PAGE_MEASURES],
            "measure": measure,
            "measure_label": Measure(measure).label,
            "dimensions": [(d.name, d.label) for d in DIMENSIONS[measure]],
            "group_by": group_by,
            "table": table,
            "chart": bar_chart(table["rows"]) if table else None,
        },
    )
