"""One chart of the load report: a figure per interval against the seconds of the run, both
axes numbered and labelled with their units, and the run's events drawn on it — forced
location changes, invalidations created and applied, admin writes — with a legend."""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from typing import Any

from scenarios.report.time_axis import round_ticks

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 64, 16, 14, 40  # room for the y numbers, x numbers, axis titles
FONT = 11
# Events on the time axis: the row field, its colour, how it is drawn, its legend text.
EVENTS: tuple[tuple[str, str, str, str], ...] = (
    ("forced_changes", "#c62828", "line", "forced location change"),
    ("invalidations_created", "#ef6c00", "line", "invalidation created"),
    ("invalidations_applied", "#f9a825", "dash", "invalidation applied"),
    ("admin_writes", "#6a1b9a", "tick", "admin writes"),
)


def chart(rows: Sequence[Mapping[str, Any]], field: str, title: str, unit: str) -> str:
    """An SVG line chart of ``field`` against each row's ``t`` (seconds since the run
    started), or nothing when no row has the figure."""
    points = [(float(r["t"]), float(r[field])) for r in rows if r.get(field) is not None]
    if not points:
        return ""
    t_max = max(t for t, _ in points) or 1.0
    y_ticks, y_decimals = round_ticks(0.0, max(v for _, v in points) or 1.0, 4)
    v_max = max(y_ticks[-1], max(v for _, v in points)) or 1.0
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: float) -> float:
        return LEFT + plot_w * t / t_max

    def y(v: float) -> float:
        return TOP + plot_h * (1 - v / v_max)

    head = (
        f'<svg class="load-chart" data-field="{html.escape(field)}" width="{WIDTH}" '
        f'height="{HEIGHT}" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" font-size="{FONT}" '
        f'font-family="sans-serif" xmlns="http://www.w3.org/2000/svg">'
        f"<title>{html.escape(title)} ({html.escape(unit)})</title>"
    )
    parts = [
        head,
        f'<rect x="{LEFT}" y="{TOP}" width="{plot_w}" height="{plot_h}" fill="#f7f7f7"/>',
    ]
    parts += _y_axis(y_ticks, y_decimals, y, unit)
    parts += _x_axis(t_max, x)
    parts += _events(rows, x, y(0), TOP)
    line = " ".join(f"{x(t):.1f},{y(v):.1f}" for t, v in points)
    parts.append(f'<polyline fill="none" stroke="#2e7d32" stroke-width="2" points="{line}"/>')
    parts.append("</svg>")
    return f"<figure><figcaption>{html.escape(title)}</figcaption>{''.join(parts)}</figure>"


def _y_axis(ticks: Sequence[float], decimals: int, y: Any, unit: str) -> list[str]:
    out = [f'<line x1="{LEFT}" y1="{TOP}" x2="{LEFT}" y2="{HEIGHT - BOTTOM}" stroke="#000"/>']
    for v in ticks:
        out.append(
            f'<line x1="{LEFT - 4}" y1="{y(v):.1f}" x2="{LEFT}" y2="{y(v):.1f}" stroke="#000"/>'
            f'<text class="tick-label" x="{LEFT - 7}" y="{y(v) + 4:.1f}" text-anchor="end">'
            f"{v:,.{decimals}f}</text>"
        )
    mid = TOP + (HEIGHT - TOP - BOTTOM) / 2
    out.append(
        f'<text class="axis-label" x="14" y="{mid:.1f}" text-anchor="middle" '
        f'transform="rotate(-90 14 {mid:.1f})">{html.escape(unit)}</text>'
    )
    return out


def _x_axis(t_max: float, x: Any) -> list[str]:
    base = HEIGHT - BOTTOM
    out = [f'<line x1="{LEFT}" y1="{base}" x2="{WIDTH - RIGHT}" y2="{base}" stroke="#000"/>']
    ticks, decimals = round_ticks(0.0, t_max, 8)
    for t in ticks:
        out.append(
            f'<line x1="{x(t):.1f}" y1="{base}" x2="{x(t):.1f}" y2="{base + 4}" stroke="#000"/>'
            f'<text class="tick-label" x="{x(t):.1f}" y="{base + 15}" text-anchor="middle">'
            f"{t:,.{decimals}f}</text>"
        )
    out.append(
        f'<text class="axis-label" x="{LEFT + (WIDTH - LEFT - RIGHT) / 2:.0f}" y="{base + 29}" '
        'text-anchor="middle">seconds since the run started</text>'
    )
    return out


def _events(rows: Sequence[Mapping[str, Any]], x: Any, base: float, top: float) -> list[str]:
    out = []
    for field, colour, style, label in EVENTS:
        for row in rows:
            count = row.get(field) or 0
            if not count:
                continue
            at = x(float(row["t"]))
            tip = f"<title>{row['t']:g} s: {count} {html.escape(label)}</title>"
            if style == "tick":  # short marks along the bottom: writes are frequent
                out.append(
                    f'<line class="event-{field}" x1="{at:.1f}" y1="{base - 8}" x2="{at:.1f}" '
                    f'y2="{base}" stroke="{colour}" stroke-width="2">{tip}</line>'
                )
            else:
                dash = ' stroke-dasharray="3 3"' if style == "dash" else ""
                out.append(
                    f'<line class="event-{field}" x1="{at:.1f}" y1="{top}" x2="{at:.1f}" '
                    f'y2="{base}" stroke="{colour}"{dash}>{tip}</line>'
                )
    return out


def legend(rows: Sequence[Mapping[str, Any]]) -> str:
    """One line of HTML for every chart: the kinds of event this run had and their marks."""
    shown = [e for e in EVENTS if any(r.get(e[0]) for r in rows)]
    if not shown:
        return ""
    items = "".join(
        f'<span class="event"><span class="swatch" style="border-left: 2px '
        f'{"dashed" if style == "dash" else "solid"} {colour}"></span>{html.escape(label)}</span>'
        for _, colour, style, label in shown
    )
    return f'<p class="events">Marked on every chart: {items}</p>'
