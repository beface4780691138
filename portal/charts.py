"""Horizontal bar charts drawn on the server as SVG (no script, no CDN), each shown beside a table of its figures.

One series (the public statistics page), several side by side (the roster's share against the needs' share), or
several stacked into one bar per row (deployments of each regional group, per year). The drawing is
templates/includes/bar_chart.html; this module only lays it out.
"""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

LABEL_WIDTH = 320
PLOT_WIDTH = 360
VALUE_SPACE = 80
VALUE_GAP = 6
BAR_HEIGHT = 18
# One series: a bar per row, rows 24 px apart. Several: each row's bars touch their group, groups 10 px apart.
ROW_GAP = 6
BAR_GAP = 2
GROUP_GAP = 10
LEGEND_HEIGHT = 26
LEGEND_SWATCH = 14
# Colours told apart with the common colour-vision deficiencies (Okabe and Ito), dark enough against white
# for a graphic (WCAG 1.4.11, 3:1); the table beside each chart carries the same figures in words.
PALETTE = ("#1f5f8b", "#b85c00", "#2b7a3d", "#7a3b8f", "#8a6d00", "#4d4d4d")


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[int | float | None]
    # Appended to each value as drawn ("%").
    unit: str = ""


@dataclass(frozen=True)
class Bar:
    # The row's label, on its first bar only.
    label: str
    label_y: int
    value: int | float | None
    text: str
    x: int
    y: int
    text_x: int
    text_y: int
    width: int
    height: int
    colour: str


@dataclass(frozen=True)
class LegendEntry:
    name: str
    colour: str
    x: int
    text_x: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    legend: list[LegendEntry]
    width: int
    height: int
    label_width: int
    value_x_offset: int


def _shown(value: int | float | None, unit: str) -> str:
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:.1f}{unit}"
    return f"{value}{unit}"


def _legend(series: Sequence[Series], label_width: int) -> list[LegendEntry]:
    entries, x = [], label_width
    for index, item in enumerate(series):
        entries.append(LegendEntry(item.name, PALETTE[index % len(PALETTE)], x, x + LEGEND_SWATCH + 4))
        # About 7 px per character at 13 px: enough room for the next entry.
        x += LEGEND_SWATCH + 16 + 7 * len(item.name)
    return entries


def grouped_bar_chart(*, labels: Sequence[str], series: Sequence[Series], label_width: int = LABEL_WIDTH) -> BarChart:
    """A group of bars per label, one bar per series, all on one scale; a value of None keeps its place bare."""
    several = len(series) > 1
    values = [value for item in series for value in item.values if value is not None]
    largest = max(values, default=0) or 1
    group_gap = GROUP_GAP if several else ROW_GAP
    group_height = len(series) * BAR_HEIGHT + (len(series) - 1) * BAR_GAP + group_gap
    top = LEGEND_HEIGHT if several else 0
    bars = []
    for row, label in enumerate(labels):
        group_y = top + row * group_height
        label_y = group_y + (group_height - group_gap) // 2 + 5
        for index, item in enumerate(series):
            value = item.values[row]
            y = group_y + index * (BAR_HEIGHT + BAR_GAP)
            width = round(PLOT_WIDTH * value / largest) if value is not None else 0
            bars.append(
                Bar(
                    label=str(label) if index == 0 else "",
                    label_y=label_y,
                    value=value,
                    text=_shown(value, item.unit),
                    x=label_width,
                    y=y,
                    text_x=label_width + width + VALUE_GAP,
                    text_y=y + BAR_HEIGHT - 4,
                    width=width,
                    height=BAR_HEIGHT,
                    colour=PALETTE[index % len(PALETTE)],
                )
            )
    legend = _legend(series, label_width) if several else []
    legend_width = max((entry.text_x + 7 * len(entry.name) for entry in legend), default=0)
    return BarChart(
        bars=bars,
        legend=legend,
        width=max(label_width + PLOT_WIDTH + VALUE_SPACE, legend_width),
        height=top + max(len(labels), 1) * group_height,
        label_width=label_width,
        value_x_offset=VALUE_GAP,
    )


def bar_chart(rows: Sequence[Mapping[str, object]], *, label_width: int = LABEL_WIDTH) -> BarChart:
    """One bar per row ({"label": ..., "value": int or None}); a row without a value keeps its place with no bar."""
    values = [row["value"] if isinstance(row["value"], int | float) else None for row in rows]
    return grouped_bar_chart(
        labels=[str(row["label"]) for row in rows], series=[Series("", values)], label_width=label_width
    )


def stacked_bar_chart(*, labels: Sequence[str], series: Sequence[Series], label_width: int = LABEL_WIDTH) -> BarChart:
    """One bar per label made of one segment per series, its total written at its end."""
    totals = [sum(item.values[row] or 0 for item in series) for row in range(len(labels))]
    largest = max(totals, default=0) or 1
    top = LEGEND_HEIGHT
    bars = []
    for row, label in enumerate(labels):
        y = top + row * (BAR_HEIGHT + ROW_GAP)
        x = label_width
        segments = [(index, item.values[row]) for index, item in enumerate(series) if item.values[row]]
        for index, value in segments:
            width = round(PLOT_WIDTH * value / largest)
            bars.append(_segment(label="", value=value, text="", x=x, y=y, width=width, index=index))
            x += width
        # The total closes the row (a bar of no width that carries the row's label and number).
        total = _segment(label=str(label), value=totals[row], text=str(totals[row]), x=x, y=y, width=0, index=0)
        bars.append(total)
    legend = _legend(series, label_width)
    legend_width = max((entry.text_x + 7 * len(entry.name) for entry in legend), default=0)
    return BarChart(
        bars=bars,
        legend=legend,
        width=max(label_width + PLOT_WIDTH + VALUE_SPACE, legend_width),
        height=top + max(len(labels), 1) * (BAR_HEIGHT + ROW_GAP),
        label_width=label_width,
        value_x_offset=VALUE_GAP,
    )


def _segment(*, label: str, value: int, text: str, x: int, y: int, width: int, index: int) -> Bar:
    return Bar(
        label=label,
        label_y=y + BAR_HEIGHT - 4,
        value=value,
        text=text,
        x=x,
        y=y,
        text_x=x + VALUE_GAP,
        text_y=y + BAR_HEIGHT - 4,
        width=width,
        height=BAR_HEIGHT,
        colour=PALETTE[index % len(PALETTE)],
    )
