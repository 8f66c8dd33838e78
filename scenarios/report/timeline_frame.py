"""The frame of a timeline plot: its coordinates (:class:`Plot`), the time axis with its
breaks, and the legend. timeline_svg.py draws the lanes and markers inside it."""

from __future__ import annotations

from html import escape
from typing import Any

from scenarios.report.digest import JSON, text
from scenarios.report.time_axis import TimeAxis, duration_text, gap_text
from scenarios.report.timeline_layout import STATES, number

STATE_COLOURS = {"fresh": "#2e9e44", "stale": "#d62728", "error": "#3a3a3a", "other": "#1f77b4"}
KIND_COLOURS = {
    "tick": "#8a8a8a",
    "write": "#6a3d9a",
    "invalidation_created": "#ff7f0e",
    "invalidation_applied": "#ff7f0e",
    "variants_deleted": "#e377c2",
    "phase": "#222222",
    "fault": "#8c564b",
    "variants_kept": "#bcbd22",
}
LEGEND_KINDS = (
    "write",
    "invalidation_created",
    "variants_deleted",
    "variants_kept",
    "phase",
    "fault",
)
LEGEND_ROW_H = 16
WIDTH, LEFT, RIGHT = 960, 120, 24
LANE_H, LANE_GAP, LABEL_ROW_H, DOT_SPACING = 22, 6, 14, 4
PLOT_W = WIDTH - LEFT - RIGHT
# Text is measured by character count, generously: 0.62 em per character is wider than
# the average of any sans-serif face, so a label said to fit does fit.
FONT_PX = 11
CHAR_W = 0.62 * FONT_PX
LABEL_CHARS, LANE_CHARS = 48, 15  # longer labels are shortened (the whole in a tooltip)


def fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def attr(value: Any) -> str:
    return escape(str(value), quote=True)


class Plot:
    """Coordinates of one plot: lanes below a band of marker labels, then the axis and legend."""

    def __init__(self, lanes: list[str], axis: TimeAxis, label_rows: int) -> None:
        self.lanes, self.axis, self.end = lanes, axis, axis.end
        self.top = 8 + label_rows * LABEL_ROW_H
        self.bottom = self.top + len(lanes) * (LANE_H + LANE_GAP)
        self.height = self.bottom + 64 + LEGEND_ROW_H

    def x(self, t: float) -> float:
        return self.axis.x(t)

    def hidden(self, t: float) -> bool:
        """Inside a break: not drawn one by one (the break's tooltip counts it)."""
        piece = self.axis.piece_at(t)
        return piece.broken and piece.start < t < piece.end

    def lane_y(self, lane: str) -> float:
        return self.top + self.lanes.index(lane) * (LANE_H + LANE_GAP)


def shorten(label: str, limit: int) -> str:
    """``label``, or its first words within ``limit`` characters and an ellipsis."""
    if len(label) <= limit:
        return label
    cut = label[: limit - 1].rsplit(" ", 1)[0] if " " in label[: limit - 1] else label[: limit - 1]
    return cut.rstrip(" ,;:·+") + "…"


def text_width(label: str) -> float:
    """A conservative width in pixels of ``label`` at the plot's font size."""
    return CHAR_W * len(label)


def axis_markup(plot: Plot) -> list[str]:
    y = plot.bottom + 2
    out = [
        (
            f'<g class="axis"><line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_W}" y2="{y}" '
            f'stroke="#000000"/>'
        )
    ]
    for t, decimals in plot.axis.ticks():
        x = fmt(plot.x(t))
        out.append(
            f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 4}" stroke="#000000"/>'
            f'<text class="tick-label" x="{x}" y="{y + 15}" text-anchor="middle">'
            f"{t:,.{decimals}f}</text>"
        )
    out.append(
        f'<text class="axis-label" x="{LEFT + PLOT_W / 2}" y="{y + 30}" '
        f'text-anchor="middle">simulated seconds since start</text></g>'
    )
    return out


def break_markup(plot: Plot, markers: list[JSON]) -> list[str]:
    """Each break: a white band through the lanes with a zigzag on the axis, its length
    below, and what it hides in its tooltip."""
    out = []
    y = plot.bottom + 2
    for piece in plot.axis.pieces:
        if not piece.broken:
            continue
        x0, x1 = plot.x(piece.start), plot.x(piece.end)
        mid = (x0 + x1) / 2
        tip = _break_tip(piece.start, piece.end, markers)
        zig = " ".join(
            f"{fmt(mid + dx)},{fmt(y + dy)}" for dx, dy in ((-6, 5), (-2, -5), (2, 5), (6, -5))
        )
        out.append(
            f'<g class="axis-break" data-start="{fmt(piece.start)}" data-end="{fmt(piece.end)}">'
            f"<title>{escape(tip)}</title>"
            f'<rect x="{fmt(x0 + 3)}" y="{fmt(plot.top - 2)}" width="{fmt(x1 - x0 - 6)}" '
            f'height="{fmt(plot.bottom - plot.top + 4)}" fill="#ffffff" fill-opacity="0.75"/>'
            f'<polyline points="{zig}" fill="none" stroke="#000000"/>'
            f'<text class="break-label" x="{fmt(mid)}" y="{fmt(y + 15)}" '
            f'text-anchor="middle">{escape(gap_text(piece.end - piece.start))}</text></g>'
        )
    return out


def _break_tip(start: float, end: float, markers: list[JSON]) -> str:
    inside: dict[str, int] = {}
    for m in markers:
        if start < number(m.get("t")) < end:
            kind = text(m.get("kind")).replace("_", " ")
            inside[kind] = inside.get(kind, 0) + 1
    hidden = ", ".join(f"{n} {kind}" for kind, n in sorted(inside.items())) or "nothing"
    return (
        f"{fmt(start)}–{fmt(end)} s ({duration_text(end - start)}) not drawn to scale; "
        f"in it: {hidden}"
    )


def legend_markup(plot: Plot) -> list[str]:
    """Two rows under the axis: what the lane colours and lane symbols mean, then the
    kinds of marker lines; each item as wide as its label (measured as in text_width)."""
    y = plot.height - 14 - LEGEND_ROW_H
    out = ['<g class="legend">']
    x = 8.0
    for state in STATES:
        out.append(
            f'<rect x="{fmt(x)}" y="{y - 9}" width="14" height="10" '
            f'fill="{STATE_COLOURS[state]}"/><text x="{fmt(x + 18)}" y="{y}">{state}</text>'
        )
        x += 18 + text_width(state) + 14
    out.append(
        f'<line x1="{fmt(x)}" y1="{y - 4}" x2="{fmt(x + 16)}" y2="{y - 4}" stroke="#8a8a8a" '
        f'stroke-dasharray="4 3"/><text x="{fmt(x + 20)}" y="{y}">aggregator tick</text>'
    )
    x += 20 + text_width("aggregator tick") + 14
    out.append(
        f'<polygon points="{fmt(x)},{y - 9} {fmt(x + 10)},{y - 9} {fmt(x + 5)},{y - 1}" '
        f'fill="#ff7f0e"/><text x="{fmt(x + 14)}" y="{y}">invalidation applied</text>'
    )
    y, x = y + LEGEND_ROW_H, 8.0
    for kind in LEGEND_KINDS:
        label = kind.replace("_", " ")
        out.append(
            f'<line x1="{fmt(x)}" y1="{y - 10}" x2="{fmt(x)}" y2="{y + 1}" '
            f'stroke="{KIND_COLOURS[kind]}" stroke-width="2"/>'
            f'<text x="{fmt(x + 4)}" y="{y}">{label}</text>'
        )
        x += 4 + text_width(label) + 14
    out.append("</g>")
    return out
