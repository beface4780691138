"""A small bar chart drawn on the server as SVG: no script, no library, nothing from another site (the CSP allows
neither), and a data table beside it on the page says the same in text."""

from collections.abc import Sequence

from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from review.selectors import MixRow

BAR_HEIGHT = 18
GAP = 6
LABEL_WIDTH = 90
BAR_WIDTH = 200
COUNT_WIDTH = 40


def mix_chart(rows: Sequence[MixRow], *, title: str) -> SafeString:
    """Horizontal bars of each row's count, with a dashed line at its cap when it has one; over the cap in red."""
    longest = max([row.count for row in rows] + [row.cap or 0 for row in rows] + [1])
    unit = BAR_WIDTH / longest
    height = len(rows) * (BAR_HEIGHT + GAP) + GAP
    width = LABEL_WIDTH + BAR_WIDTH + COUNT_WIDTH

    def parts(index: int, row: MixRow) -> tuple:
        y = GAP + index * (BAR_HEIGHT + GAP)
        cap = (
            format_html(
                '<line x1="{x}" x2="{x}" y1="{y1}" y2="{y2}" stroke="#333" stroke-width="2" stroke-dasharray="3 2"/>',
                x=round(LABEL_WIDTH + row.cap * unit, 1),
                y1=y - 2,
                y2=y + BAR_HEIGHT + 2,
            )
            if row.cap is not None
            else ""
        )
        return (
            y + BAR_HEIGHT - 5,
            row.code or "—",
            LABEL_WIDTH,
            y,
            round(row.count * unit, 1),
            BAR_HEIGHT,
            "#b00020" if row.over_cap else "#2f6690",
            round(LABEL_WIDTH + row.count * unit + 4, 1),
            y + BAR_HEIGHT - 5,
            row.count,
            cap,
        )

    bars = format_html_join(
        "",
        '<text x="0" y="{}" font-size="12">{}</text>'
        '<rect x="{}" y="{}" width="{}" height="{}" fill="{}"/>'
        '<text x="{}" y="{}" font-size="12">{}</text>{}',
        (parts(index, row) for index, row in enumerate(rows)),
    )
    return format_html(
        '<svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label="{}" width="{}" height="{}" '
        'viewBox="0 0 {} {}" class="mix-chart"><title>{}</title>{}</svg>',
        title,
        width,
        height,
        width,
        height,
        title,
        bars,
    )
