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
FONT = 16            # label size in viewBox units (the phone CSS makes it larger)
BAR_ROW = 58         # height of one bar with its label above it
LABEL_BASE = 22      # label baseline, from the top of its row: room for the phone's larger letters
BAR_TOP = 28
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
            f'<text class="etiquette" x="0" y="{y + LABEL_BASE}" font-size="{FONT}">{escape(b.label)}</text>'
            f'<rect class="barre" x="0" y="{y + BAR_TOP}" width="{length:.1f}" height="{BAR_HEIGHT}" rx="2"/>'
            f'<text class="valeur" x="{length + 6:.1f}" y="{y + BAR_TOP + BAR_HEIGHT - 3}" '
            f'font-size="{FONT}">{escape(b.text)}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))


def axis_steps(value: float, most: int = 5) -> tuple[float, int]:
    """A round step (1, 2 or 5 × 10ⁿ) and how many of them (at most ``most``) reach ``value``:
    the grid of an axis. ``247 000`` → ``(50 000, 5)``."""
    if value <= 0:
        return 1.0, 1
    power = 10 ** math.floor(math.log10(value / most))
    for base in (1, 2, 5, 10, 20):
        step = base * power
        count = math.ceil(value / step - 1e-9)
        if count <= most:
            return float(step), max(count, 1)
    return float(20 * power), most


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
    step, count = axis_steps(max([*values, limit or 0.0]))
    top = step * count

    def y_of(v: float) -> float:
        return top_pad + plot_h - (v / top) * plot_h

    n = len(values)
    step_x = plot_w / (n - 1) if n > 1 else 0.0

    def x_of(i: int) -> float:
        return left + (i * step_x if n > 1 else plot_w / 2)

    parts = [_svg_open(chart_id, height, title, desc, "chart-ligne")]
    for k in range(count + 1):  # horizontal grid and y labels
        v = step * k
        y = y_of(v)
        parts.append(f'<line class="grille" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="axe" x="{left - 6}" y="{y + 5:.1f}" font-size="13" '
                     f'text-anchor="end">{escape(fmt(v))}</text>')
    every = max(1, math.ceil((n - 1) / 3))  # at most four month labels, the last one always
    shown = set(range(n - 1, -1, -every))
    for i, label in enumerate(labels):
        if i not in shown:
            continue
        word, _, rest = label.partition(" ")
        x = x_of(i)
        anchor = "end" if i == n - 1 and n > 1 else ("start" if i == 0 and n > 1 else "middle")
        parts.append(f'<text class="axe" x="{x:.1f}" y="{height - bottom + 20}" font-size="13" '
                     f'text-anchor="{anchor}">{escape(word)}'
                     f'<tspan x="{x:.1f}" dy="16">{escape(rest)}</tspan></text>')
    if limit is not None:
        y = y_of(limit)
        # at the left, where a cumulative line is still low; below the line when it runs along the top
        text_y = y - 7 if y - top_pad > 24 else y + 20
        parts.append(f'<line class="limite" x1="{left}" x2="{WIDTH - right}" y1="{y:.1f}" y2="{y:.1f}"/>'
                     f'<text class="limite-texte" x="{left + 6}" y="{text_y:.1f}" font-size="14" '
                     f'text-anchor="start">{escape(limit_text or fmt(limit))}</text>')
    points = " ".join(f"{x_of(i):.1f},{y_of(v):.1f}" for i, v in enumerate(values))
    parts.append(f'<polyline class="serie" points="{points}"/>')
    for i, v in enumerate(values):
        parts.append(f'<circle class="point" cx="{x_of(i):.1f}" cy="{y_of(v):.1f}" r="3.5"/>')
    parts.append(f'<text class="legende" x="{left}" y="18" font-size="14">{escape(series_text)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))
