"""Charts drawn on the server as SVG: no chart library and no script, readable by screen readers.

Each chart is an `<svg role="img">` with a `<title>` and a `<desc>` (and the page puts the same data in a
table under it). Sizes are in viewBox units, so a chart scales to the width of a phone or a desktop column.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.dateformat import format as date_format
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

# The trend's plot: a year of months side by side, each group at least MIN_GROUP wide, bars at most MAX_BAR.
MIN_GROUP, YEAR_PLOT, MAX_BAR = 27, 12 * 27, 14
# Width of a character of the axis text (12 px DejaVu Sans) in viewBox units; Cyrillic ones are the widest.
CHAR_WIDTH = 8  # measured: 7.4–7.8 for Russian and Kazakh words, about 6 for English


@dataclass
class Series:
    key: str
    label: str
    css: str  # class of the bars, coloured by dashboard.css


def _join(parts) -> SafeString:
    """Pieces made by format_html, joined without escaping them again."""
    return format_html_join("", "{}", ((part,) for part in parts))


def _svg(*, chart_id: str, title: str, desc: str, width: int, height: int, body) -> SafeString:
    return format_html(
        '<svg class="chart" id="{id}" role="img" viewBox="0 0 {w} {h}" preserveAspectRatio="xMinYMin meet" '
        'aria-labelledby="{id}-title {id}-desc" font-family="DejaVu Sans, Noto Sans, sans-serif">'
        '<title id="{id}-title">{title}</title><desc id="{id}-desc">{desc}</desc>{body}</svg>',
        id=chart_id,
        w=width,
        h=height,
        title=title,
        desc=desc,
        body=body,
    )


def compliance_chart(categories: Sequence, *, chart_id: str = "chart-compliance") -> SafeString:
    """Horizontal bars: the share of passed checks per category, 0–100 %."""
    # The labels' column is as wide as the longest label (Kazakh ones are the longest) at the axis font size.
    label_w = max([_text_width(str(c.label)) for c in categories] + [60]) + 8
    bar_w, row_h, top = 150, 26, 6
    width, height = label_w + bar_w + 46, top + row_h * len(categories) + 4
    parts = []
    for n, c in enumerate(categories):
        y = top + n * row_h
        pct = c.compliance
        length = 0 if pct is None else bar_w * pct / 100
        level = "none" if pct is None else ("ok" if pct >= 90 else "warn" if pct >= 70 else "bad")
        shown = "—" if pct is None else f"{pct:.0f} %"
        parts.append(
            format_html(
                '<g class="bar-row"><text x="{lx}" y="{ty}" text-anchor="end" class="axis">{label}</text>'
                '<rect x="{x}" y="{y}" width="{bw}" height="16" class="track"/>'
                '<rect x="{x}" y="{y}" width="{len}" height="16" class="bar {level}"/>'
                '<text x="{vx}" y="{ty}" class="value">{shown}</text></g>',
                lx=label_w - 6,
                ty=y + 12.5,
                label=c.label,
                x=label_w,
                y=y,
                bw=bar_w,
                len=_n(length),
                level=level,
                vx=label_w + bar_w + 4,
                shown=shown,
            )
        )
    described = "; ".join(
        f"{c.label}: {'—' if c.compliance is None else f'{c.compliance:.1f} %'}" for c in categories
    )
    return _svg(
        chart_id=chart_id,
        title=_("Compliance by category"),
        desc=_("Share of passed checks per category. %(values)s") % {"values": described},
        width=width,
        height=height,
        body=_join(parts),
    )


def trend_chart(months: Sequence, series: Sequence[Series], *, chart_id: str = "chart-trend") -> SafeString:
    """Grouped vertical bars per month, one bar per series; the page shows the legend under it."""
    top, plot_h = 8, 120
    peak = max([getattr(m, s.key) for m in months for s in series] + [1])
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
    # Room for the widest tick label; a period of a few months is drawn as wide as a year (wider groups, bars
    # no wider than MAX_BAR), so that the chart's text keeps its size on a phone instead of being scaled up.
    left = _text_width(str(ceiling)) + 8
    group_w = max(MIN_GROUP, YEAR_PLOT / max(len(months), 1))
    width = left + group_w * max(len(months), 1) + 6
    height = top + plot_h + 20
    parts = []
    for tick in range(0, ceiling + 1, step):
        y = top + plot_h - plot_h * tick / ceiling
        parts.append(
            format_html(
                '<line x1="{x1}" x2="{x2}" y1="{y}" y2="{y}" class="grid"/>'
                '<text x="{tx}" y="{ty}" text-anchor="end" class="axis">{tick}</text>',
                x1=left,
                x2=width - 4,
                y=y,
                tx=left - 4,
                ty=y + 4,
                tick=tick,
            )
        )
    bar_w = min((group_w - 6) / max(len(series), 1), MAX_BAR)
    bars_w = bar_w * len(series)
    for n, month in enumerate(months):
        x0 = left + n * group_w + (group_w - bars_w) / 2
        for k, s in enumerate(series):
            value = getattr(month, s.key)
            h = plot_h * value / ceiling
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" class="bar {css}">'
                    "<title>{label}, {month}: {value}</title></rect>",
                    x=_n(x0 + k * bar_w),
                    y=_n(top + plot_h - h),
                    w=_n(bar_w - 1),
                    h=_n(h),
                    css=s.css,
                    label=s.label,
                    month=date_format(month.start, "F Y"),
                    value=value,
                )
            )
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" class="axis month">{label}</text>',
                x=_n(x0 + bars_w / 2),
                y=top + plot_h + 15,
                label=date_format(month.start, "M"),
            )
        )
    described = "; ".join(
        f"{date_format(m.start, 'F Y')}: " + ", ".join(f"{s.label} {getattr(m, s.key)}" for s in series)
        for m in months
    )
    return _svg(
        chart_id=chart_id,
        title=_("Order items by month"),
        desc=described or _("No months in the period."),
        width=width,
        height=height,
        body=_join(parts),
    )


def _text_width(text: str) -> int:
    return round(len(text) * CHAR_WIDTH)


def _n(value: float) -> str:
    return f"{value:.1f}"


def _nice_step(peak: int) -> int:
    """A round step for about four grid lines."""
    raw = max(peak / 4, 1)
    magnitude = 10 ** (len(str(int(raw))) - 1)
    for factor in (1, 2, 5, 10):
        if raw <= factor * magnitude:
            return int(factor * magnitude)
    return int(10 * magnitude)
