"""The secretariat's dashboard page, mounted by the restricted admin behind its gate (workspace_urls.py)."""

from dataclasses import dataclass

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_safe

from dashboard.selectors import CHARTED_LANGUAGES, Composition, Dashboard, GapDimension, dashboard_get
from portal.charts import BarChart, Series, bar_chart, grouped_bar_chart, stacked_bar_chart

GAPS_CHARTED = 15
# Room for the longest regional group's name ("Latin American and Caribbean States") at 13 px.
LABEL_WIDTH = 290


@dataclass(frozen=True)
class Figure:
    """A chart and what the page says around it; the table beside it is drawn from the same rows."""

    chart_id: str
    title: str | Promise
    chart: BarChart
    rows: object
    note: str | Promise = ""
    caption: str | Promise = ""
    charted_part: bool = False


def _composition_figure(part: Composition) -> Figure:
    rows = part.rows[:CHARTED_LANGUAGES] if part.dimension == "language" else part.rows
    series = [Series(str(_("Share of the roster")), [row.expert_share for row in rows], unit="%")]
    if part.needs_total is not None:
        series.append(Series(str(_("Share of open needs")), [row.need_share for row in rows], unit="%"))
    return Figure(
        chart_id=f"composition-{part.dimension}",
        title=part.title,
        chart=grouped_bar_chart(labels=[row.label for row in rows], series=series, label_width=LABEL_WIDTH),
        rows=part,
        note=part.note,
        charted_part=len(rows) < len(part.rows),
    )


def _gap_figure(gap: GapDimension) -> Figure:
    rows = gap.rows
    charted = rows[:GAPS_CHARTED]
    return Figure(
        chart_id=f"gaps-{gap.dimension}",
        title=gap.title,
        caption=gap.caption,
        chart=bar_chart([{"label": row.label, "value": row.count} for row in charted], label_width=LABEL_WIDTH),
        rows=rows,
        charted_part=len(charted) < len(rows),
    )


def _figures(dashboard: Dashboard) -> dict[str, object]:
    coverage, stale, deployments = dashboard.coverage, dashboard.stale, dashboard.deployments
    return {
        "composition": [_composition_figure(part) for part in dashboard.composition],
        "gaps": [_gap_figure(gap) for gap in coverage.by_dimension],
        "stale_chart": bar_chart(
            [{"label": row.label, "value": row.count} for row in stale.by_group], label_width=LABEL_WIDTH
        ),
        "deployments_chart": stacked_bar_chart(
            labels=[str(year) for year in deployments.years],
            series=[Series(label, deployments.counts[code]) for code, label in deployments.groups],
            label_width=80,
        ),
        "deployment_rows": [
            (year, [deployments.counts[code][index] for code, _label in deployments.groups], deployments.totals[index])
            for index, year in enumerate(deployments.years)
        ],
    }


@require_safe
def dashboard_view(request: HttpRequest) -> HttpResponse:
    dashboard = dashboard_get(user=request.user)
    return render(
        request,
        "dashboard/dashboard.html",
        {**admin.site.each_context(request), "title": _("Dashboard"), "dashboard": dashboard, **_figures(dashboard)},
    )
