"""Server-drawn bar charts: every value on one scale, a missing value keeps its place, nothing past the width."""

from portal.charts import LABEL_WIDTH, PLOT_WIDTH, Series, bar_chart, grouped_bar_chart, stacked_bar_chart


def test_one_series_draws_a_bar_per_row_on_one_scale_and_leaves_a_withheld_row_bare():
    chart = bar_chart([{"label": "AFR", "value": 40}, {"label": "APG", "value": None}, {"label": "EEG", "value": 10}])
    assert [bar.label for bar in chart.bars] == ["AFR", "APG", "EEG"]
    assert [bar.width for bar in chart.bars] == [PLOT_WIDTH, 0, PLOT_WIDTH // 4]
    assert chart.bars[1].value is None and chart.bars[1].text == ""
    assert [bar.y for bar in chart.bars] == [0, 24, 48] and chart.height == 72 and chart.legend == []


def test_several_series_are_grouped_per_row_with_a_legend_and_units():
    chart = grouped_bar_chart(
        labels=["French", "English"], series=[Series("Roster", [25.0, 100.0], "%"), Series("Needs", [66.7, 0.0], "%")]
    )
    assert [entry.name for entry in chart.legend] == ["Roster", "Needs"]
    assert [bar.label for bar in chart.bars] == ["French", "", "English", ""]
    assert [bar.text for bar in chart.bars] == ["25.0%", "66.7%", "100.0%", "0.0%"]
    assert chart.bars[0].colour != chart.bars[1].colour
    assert max(bar.x + bar.width for bar in chart.bars) <= LABEL_WIDTH + PLOT_WIDTH <= chart.width


def test_stacked_series_make_one_bar_per_row_ending_with_its_total():
    chart = stacked_bar_chart(labels=["2025", "2026"], series=[Series("AFR", [1, 2]), Series("WEOG", [3, 0])])
    rows = {}
    for bar in chart.bars:
        rows.setdefault(bar.y, []).append(bar)
    first, second = rows.values()
    assert [bar.width for bar in first] == [PLOT_WIDTH // 4, 3 * PLOT_WIDTH // 4, 0]
    assert first[1].x == first[0].x + first[0].width and first[-1].text == "4" and first[-1].label == "2025"
    assert [bar.text for bar in second] == ["", "2"]  # a group with no deployment draws no segment
    assert max(bar.x + bar.width for bar in chart.bars) <= LABEL_WIDTH + PLOT_WIDTH


def test_an_empty_chart_still_has_a_size():
    assert bar_chart([]).height > 0 and stacked_bar_chart(labels=[], series=[Series("AFR", [])]).height > 0
