"""Hand-written inline SVG charts for the HTML reports (no JavaScript).

Two shapes: horizontal bars (hours by category, by month) and a line against a
limit (the bank's use over time against its size). Every chart is an
``<svg role="img">`` labelled by its ``<title>`` and ``<desc>``; the report puts
a table with the same figures right after it (the text equivalent).

Labels arrive already formatted (``formatting``): this module only draws.
Colours come from the report's CSS classes, so the SVG carries no ``style``.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable

from markupsafe import Markup, escape

WIDTH = 560          # viewBox width; the CSS scales the chart to the page
FONT = 15            # label size in viewBox units
BAR_ROW = 46         # height of one bar with its label above it
BAR_HEIGHT = 18
VALUE_ROOM = 120     # room right of the longest bar for its value


@dataclass(frozen=True)
class Bar:
    label: str        # "Réunion du Conseil exécutif", "mars 2026"
    value: float      # drawn length
    text: str         # "3,5 h", shown at the end of the bar


def _svg_open(chart_id: str, height: float, title: str, desc: str, css_class: str) -> str:
    return (
        f'<svg class="chart {css_class}" viewBox="0 0 {WIDTH} {height:.0f}" '
        f'role="img" aria-labelledby="{chart_id}-titre {chart_id}-desc" focusable="false">'
        f'<title id="{chart_id}-titre">{escape(title)}</title>'
        f'<desc id="{chart_id}-desc">{escape(desc)}</desc>'
    )


def bar_chart(chart_id: str, title: str, desc: str, bars: list[Bar]) -> Markup | None:
    """Horizontal bars, one per item, its label above it and its value after it.
    None when there is nothing to draw (the report then says so in words)."""
    if not bars:
        return None
    top = max((b.value for b in bars), default=0.0)
    scale = (WIDTH - VALUE_ROOM) / top if top > 0 else 0.0
    parts = [_svg_open(chart_id, len(bars) * BAR_ROW + 4, title, desc, "chart-barres")]
    for i, b in enumerate(bars):
        y = i * BAR_ROW
        length = max(b.value * scale, 0.0)
        parts.append(
            f'<text class="etiquette" x="0" y="{y + FONT:.0f}" font-size="{FONT}">{escape(b.label)}</text>'
            f'<rect class="barre" x="0" y="{y + FONT + 5:.0f}" width="{length:.1f}" height="{BAR_HEIGHT}" rx="2"/>'
            f'<text class="valeur" x="{length + 6:.1f}" y="{y + FONT + 5 + BAR_HEIGHT - 4:.0f}" '
            f'font-size="{FONT}">{escape(b.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def nice_ceiling(value: float) -> float:
    """The round number (1, 2, 2.5, 5 × 10ⁿ) at or above ``value``: the top of an axis."""
    if value <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(value))
    for step in (1, 2, 2.5, 5, 10):
        if step * power >= value - 1e-9:
            return step * power
    return 10 * power


def line_chart(chart_id: str, title: str, desc: str, labels: list[str], values: list[float],
               limit: float | None, limit_text: str | None, fmt: Callable[[float], str],
               series_text: str) -> Markup | None:
    """A line of ``values`` (one point per label, evenly spaced) with a dashed
    horizontal line at ``limit`` (e.g. the bank's size). ``fmt`` formats the
    axis values (``formatting.hours``). None when there is no point."""
    if not values:
        return None
    left, right, top_pad, bottom = 78, 16, 34, 60
    height = 300
    plot_w, plot_h = WIDTH - left - right, height - top_pad - bottom
    top = nice_ceiling(max([*values, limit or 0.0]) * 1.05)

    def y_of(v: float) -> float:
        return top_pad + plot_h - (v / top) * plot_h

    n = len(values)
    step_x = plot_w / (n - 1) if n > 1 else 0.0

    def x_of(i: int) -> float:
        return left + (i * step_x if n > 1 else plot_w / 2)

    parts = [_svg_open(chart_id, height, title, desc, "chart-ligne")]
    for k in range(5):  # horizontal grid and y labels
        v = top * k / 4
        y = y_of(v)
        parts.append(f'<line class="grille" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axe" x="{left - 6}" y="{y + 5:.1f}" font-size="13" '
                     f'text-anchor="end">{escape(fmt(v))}</text>')
    every = max(1, math.ceil(n / 6))  # at most about six month labels
    for i, label in enumerate(labels):
        if i % every and i != n - 1:
            continue
        word, _, rest = label.partition(" ")
        x = x_of(i)
        parts.append(f'<text class="axe" x="{x:.1f}" y="{height - bottom + 20}" font-size="13" '
                     f'text-anchor="middle">{escape(word)}'
                     f'<tspan x="{x:.1f}" dy="16">{escape(rest)}</tspan></text>')
    if limit is not None:
        y = y_of(limit)
        parts.append(f'<line class="limite" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="limite-texte" x="{WIDTH - right}" y="{y - 7:.1f}" font-size="14" '
                     f'text-anchor="end">{escape(limit_text or fmt(limit))}</text>')
    points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline class="serie" points="{points}"/>')
    for i, v in enumerate(values):
        parts.append(f'<circle class="point" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3.5"/>')
    parts.append(f'<text class="legende" x="{left}" y="18" font-size="14">{escape(series_text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
