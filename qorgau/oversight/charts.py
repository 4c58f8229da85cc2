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
    label_w, bar_w, row_h, top = 160, 150, 26, 6
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
    left, top, plot_h, group_w = 26, 8, 120, 27
    width = left + group_w * max(len(months), 1) + 6
    height = top + plot_h + 20
    peak = max([getattr(m, s.key) for m in months for s in series] + [1])
    step = _nice_step(peak)
    ceiling = step * -(-peak // step)
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
    bar_w = (group_w - 6) / max(len(series), 1)
    for n, month in enumerate(months):
        x0 = left + n * group_w + 3
        for k, s in enumerate(series):
            value = getattr(month, s.key)
            h = plot_h * value / ceiling
            parts.append(
                format_html(
                    '<rect x="{x}" y="{y}" width="{w}" height="{h}" class="bar {css}">'
                    "<title>{label}, {month}: {value}</title></rect>",
                    x=x0 + k * bar_w,
                    y=top + plot_h - h,
                    w=bar_w - 1,
                    h=h,
                    css=s.css,
                    label=s.label,
                    month=date_format(month.start, "F Y"),
                    value=value,
                )
            )
        parts.append(
            format_html(
                '<text x="{x}" y="{y}" text-anchor="middle" class="axis month">{label}</text>',
                x=_n(x0 + (group_w - 6) / 2),
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
