"""A horizontal bar chart of a published table, drawn on the server as SVG (no script, no CDN)."""

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

BAR_HEIGHT = 18
ROW_HEIGHT = 24
LABEL_WIDTH = 320
PLOT_WIDTH = 360
VALUE_GAP = 6


@dataclass(frozen=True)
class Bar:
    label: str
    value: int | None
    y: int
    text_y: int
    width: int


@dataclass(frozen=True)
class BarChart:
    bars: list[Bar]
    width: int
    height: int
    label_width: int
    value_x_offset: int


def bar_chart(rows: Sequence[Mapping[str, object]]) -> BarChart:
    """Bars for the published values; a suppressed row keeps its place with no bar, as in the table."""
    values = [row["value"] for row in rows if row["value"] is not None]
    largest = max(values, default=0) or 1
    bars = []
    for index, row in enumerate(rows):
        value = row["value"]
        y = index * ROW_HEIGHT
        width = round(PLOT_WIDTH * value / largest) if isinstance(value, int) else 0
        bars.append(Bar(label=str(row["label"]), value=value, y=y, text_y=y + BAR_HEIGHT - 4, width=width))
    return BarChart(
        bars=bars,
        width=LABEL_WIDTH + PLOT_WIDTH + 80,
        height=max(len(rows), 1) * ROW_HEIGHT,
        label_width=LABEL_WIDTH,
        value_x_offset=VALUE_GAP,
    )
