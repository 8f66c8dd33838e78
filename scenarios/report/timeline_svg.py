"""A scenario's timeline as one inline SVG: a lane per POP coloured by what it served when.

The drawing is split into pure steps (segments, axis ticks, label rows) so each can be
tested alone; ``timeline_svg`` puts them together. The SVG is well-formed XML with every text
escaped, so it works inline in HTML and parses with xml.etree.
"""

from __future__ import annotations

from html import escape
from typing import Any

from scenarios.report.digest import JSON, text
from scenarios.report.timeline_layout import (
    STATES,
    axis_ticks,
    label_rows,
    lane_segments,
    number,
    state_of,
)

STATE_COLOURS = {"fresh": "#2e9e44", "stale": "#d62728", "error": "#3a3a3a", "other": "#1f77b4"}
KIND_COLOURS = {
    "tick": "#8a8a8a",
    "write": "#6a3d9a",
    "invalidation_created": "#ff7f0e",
    "invalidation_applied": "#ff7f0e",
    "variants_deleted": "#e377c2",
    "phase": "#222222",
    "fault": "#8c564b",
}
WIDTH, LEFT, RIGHT = 960, 120, 24
LANE_H, LANE_GAP, LABEL_ROW_H, DOT_SPACING = 22, 6, 13, 4
PLOT_W = WIDTH - LEFT - RIGHT


def _fmt(value: float) -> str:
    return f"{value:.2f}".rstrip("0").rstrip(".")


def _attr(value: Any) -> str:
    return escape(str(value), quote=True)


class _Plot:
    """Coordinates of one plot: lanes below a band of marker labels, then the axis and legend."""

    def __init__(self, lanes: list[str], end: float, label_rows: int) -> None:
        self.lanes, self.end = lanes, end
        self.top = 8 + label_rows * LABEL_ROW_H
        self.bottom = self.top + len(lanes) * (LANE_H + LANE_GAP)
        self.height = self.bottom + 64

    def x(self, t: float) -> float:
        return LEFT + PLOT_W * min(max(t, 0.0), self.end) / self.end

    def lane_y(self, lane: str) -> float:
        return self.top + self.lanes.index(lane) * (LANE_H + LANE_GAP)


def _timeline_parts(timeline: JSON) -> tuple[list[str], list[JSON], list[JSON], float]:
    """Lanes, observations, markers and the end of the plot, with bad entries left out.

    Observations or markers on a lane missing from ``lanes`` get a lane of their own at the
    bottom rather than vanishing.
    """
    lanes = [text(lane) for lane in timeline.get("lanes") or []]
    observations = [o for o in timeline.get("observations") or [] if isinstance(o, dict)]
    markers = [m for m in timeline.get("markers") or [] if isinstance(m, dict)]
    for item in observations + markers:
        lane = item.get("lane")
        if lane is not None and text(lane) not in lanes and item.get("kind") != "tick":
            lanes.append(text(lane))
    times = [number(i.get("t")) for i in observations + markers]
    end = max([number(timeline.get("end")), *times, 0.0]) or 1.0
    return lanes, observations, markers, end


def _lane_markup(plot: _Plot, lane: str, observations: list[JSON]) -> list[str]:
    y = plot.lane_y(lane)
    out = [
        f'<g class="lane" data-lane="{_attr(lane)}">',
        (
            f'<text class="lane-label" x="{LEFT - 8}" y="{_fmt(y + LANE_H / 2 + 4)}" '
            f'text-anchor="end">{escape(lane)}</text>'
        ),
        (
            f'<rect class="lane-bg" x="{LEFT}" y="{_fmt(y)}" width="{PLOT_W}" height="{LANE_H}" '
            f'fill="#f4f4f4"/>'
        ),
    ]
    for seg in lane_segments(observations, plot.end):
        x0, x1 = plot.x(seg.start), plot.x(seg.end)
        tip = (
            f"{lane}: {seg.state} {_fmt(seg.start)}–{_fmt(seg.end)} s, {seg.observations} "
            f"observation{'s' if seg.observations != 1 else ''}"
            + (f" ({seg.label})" if seg.label else "")
        )
        out.append(
            f'<rect class="segment state-{seg.state}" data-lane="{_attr(lane)}" '
            f'data-start="{_fmt(seg.start)}" data-end="{_fmt(seg.end)}" x="{_fmt(x0)}" '
            f'y="{_fmt(y + 3)}" width="{_fmt(max(x1 - x0, 0.5))}" height="{LANE_H - 6}" '
            f'fill="{STATE_COLOURS[seg.state]}"><title>{escape(tip)}</title></rect>'
        )
    # One dot per observation, but one per state in each DOT_SPACING-pixel bucket: a lane
    # of thousands stays readable and the file stays small.
    out.append('<g class="observations" fill="#ffffff" stroke="#000000" stroke-width="0.6">')
    seen: set[tuple[int, str]] = set()
    cy = _fmt(y + LANE_H / 2)
    for obs in observations:
        x, state = plot.x(number(obs.get("t"))), state_of(obs)
        bucket = (round(x / DOT_SPACING), state)
        if bucket not in seen:
            seen.add(bucket)
            out.append(f'<circle class="observation" cx="{_fmt(x)}" cy="{cy}" r="1.8"/>')
    out.append("</g>")
    out.append("</g>")
    return out


def _lane_marker(plot: _Plot, marker: JSON, lane: str) -> str:
    """A marker that belongs to one lane: a triangle for an applied invalidation, else a diamond."""
    kind = text(marker.get("kind"))
    x, y = plot.x(number(marker.get("t"))), plot.lane_y(lane)
    colour = KIND_COLOURS.get(kind, "#555555")
    if kind == "invalidation_applied":
        points = f"{_fmt(x - 5)},{_fmt(y)} {_fmt(x + 5)},{_fmt(y)} {_fmt(x)},{_fmt(y + 8)}"
    else:
        m = y + LANE_H / 2
        points = (
            f"{_fmt(x)},{_fmt(m - 6)} {_fmt(x + 5)},{_fmt(m)} {_fmt(x)},{_fmt(m + 6)} "
            f"{_fmt(x - 5)},{_fmt(m)}"
        )
    tip = f"{_fmt(number(marker.get('t')))} s {kind}: {text(marker.get('label') or '')}"
    return (
        f'<polygon class="marker marker-{_attr(kind)}" data-lane="{_attr(lane)}" '
        f'points="{points}" fill="{colour}" stroke="#000000" stroke-width="0.5">'
        f"<title>{escape(tip)}</title></polygon>"
    )


def _wide_markers(plot: _Plot, markers: list[JSON]) -> list[str]:
    """Ticks as dashed lines, other lane-less markers as solid lines labelled in the top band."""
    out = []
    ticks = [m for m in markers if m.get("kind") == "tick"]
    for m in ticks:
        x = _fmt(plot.x(number(m.get("t"))))
        out.append(
            f'<line class="marker marker-tick" x1="{x}" y1="{_fmt(plot.top)}" x2="{x}" '
            f'y2="{_fmt(plot.bottom)}" stroke="{KIND_COLOURS["tick"]}" '
            f'stroke-dasharray="4 3"><title>{escape(_tip(m))}</title></line>'
        )
    wide = _wide(markers)
    spans = _label_spans(plot, wide)
    for m, row, (left, _right) in zip(wide, label_rows(spans), spans, strict=True):
        kind, x = text(m.get("kind")), _fmt(plot.x(number(m.get("t"))))
        colour = KIND_COLOURS.get(kind, "#555555")
        out.append(
            f'<g class="marker marker-{_attr(kind)}"><title>{escape(_tip(m))}</title>'
            f'<line x1="{x}" y1="{_fmt(plot.top - 2)}" x2="{x}" y2="{_fmt(plot.bottom)}" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
        if row >= 0:
            y = 8 + row * LABEL_ROW_H + 9
            out.append(
                f'<text class="marker-label" x="{_fmt(left + 3)}" y="{y}" '
                f'fill="{colour}">{escape(_short(m))}</text>'
            )
        out.append("</g>")
    return out


def _wide(markers: list[JSON]) -> list[JSON]:
    """Lane-less markers other than ticks, in time order: the ones that get a labelled line."""
    return sorted(
        (m for m in markers if m.get("kind") != "tick" and m.get("lane") is None),
        key=lambda m: number(m.get("t")),
    )


def _label_spans(plot: _Plot, wide: list[JSON]) -> list[tuple[float, float]]:
    """Where each label would sit: right of its line, or left of it near the right edge."""
    spans = []
    for m in wide:
        x, w = plot.x(number(m.get("t"))), 6.0 * len(_short(m)) + 6
        spans.append((x, x + w) if x + w <= WIDTH else (x - w, x))
    return spans


def _short(marker: JSON) -> str:
    label = text(marker.get("label") or marker.get("kind"))
    return label if len(label) <= 32 else label[:31] + "…"


def _tip(marker: JSON) -> str:
    return f"{_fmt(number(marker.get('t')))} s {text(marker.get('kind'))}: {text(marker.get('label') or '')}"


def _axis(plot: _Plot) -> list[str]:
    ticks, decimals = axis_ticks(plot.end)
    y = plot.bottom + 2
    out = [
        (
            f'<g class="axis"><line x1="{LEFT}" y1="{y}" x2="{LEFT + PLOT_W}" y2="{y}" '
            f'stroke="#000000"/>'
        )
    ]
    for t in ticks:
        x = _fmt(plot.x(t))
        out.append(
            f'<line x1="{x}" y1="{y}" x2="{x}" y2="{y + 4}" stroke="#000000"/>'
            f'<text x="{x}" y="{y + 15}" text-anchor="middle">{t:.{decimals}f}</text>'
        )
    out.append(
        f'<text class="axis-label" x="{LEFT + PLOT_W / 2}" y="{y + 30}" '
        f'text-anchor="middle">simulated seconds since start</text></g>'
    )
    return out


def _legend(plot: _Plot) -> list[str]:
    y, x = plot.height - 14, 8
    out = ['<g class="legend">']
    for state in STATES:
        out.append(
            f'<rect x="{x}" y="{y - 9}" width="14" height="10" '
            f'fill="{STATE_COLOURS[state]}"/><text x="{x + 18}" y="{y}">{state}</text>'
        )
        x += 70
    out.append(
        f'<line x1="{x}" y1="{y - 4}" x2="{x + 16}" y2="{y - 4}" stroke="#8a8a8a" '
        f'stroke-dasharray="4 3"/><text x="{x + 20}" y="{y}">tick</text>'
    )
    x += 60
    out.append(
        f'<polygon points="{x},{y - 9} {x + 10},{y - 9} {x + 5},{y - 1}" fill="#ff7f0e"/>'
        f'<text x="{x + 14}" y="{y}">invalidation applied</text>'
    )
    x += 150
    for kind in ("write", "invalidation_created", "phase", "fault", "variants_deleted"):
        out.append(
            f'<line x1="{x}" y1="{y - 10}" x2="{x}" y2="{y + 1}" '
            f'stroke="{KIND_COLOURS[kind]}" stroke-width="2"/>'
            f'<text x="{x + 4}" y="{y}">{kind.replace("_", " ")}</text>'
        )
        x += 9 + 6 * len(kind)
    out.append("</g>")
    return out


def timeline_svg(name: str, timeline: JSON | None) -> str:
    """The plot of one scenario: ``<svg class="timeline" data-scenario="NAME">``.

    An empty timeline still gives an svg, with a "no observations" note in it, so every
    scenario has exactly one plot element.
    """
    lanes, observations, markers, end = _timeline_parts(timeline or {})
    head = f'<svg class="timeline" data-scenario="{_attr(name)}" xmlns="http://www.w3.org/2000/svg"'
    if not observations and not markers:
        return (
            f'{head} width="{WIDTH}" height="40" viewBox="0 0 {WIDTH} 40" role="img">'
            f'<text class="empty" x="{LEFT}" y="24">no observations</text></svg>'
        )
    # The label band is as tall as the rows its labels need; x does not depend on it.
    rows = label_rows(_label_spans(_Plot(lanes, end, 0), _wide(markers)))
    plot = _Plot(lanes, end, max(rows, default=-1) + 1)
    by_lane: dict[str, list[JSON]] = {lane: [] for lane in lanes}
    for obs in observations:
        if obs.get("lane") is not None:
            by_lane[text(obs.get("lane"))].append(obs)
    parts = [
        (
            f'{head} width="{WIDTH}" height="{plot.height}" '
            f'viewBox="0 0 {WIDTH} {plot.height}" role="img" font-size="11" '
            f'font-family="sans-serif"><title>{escape(f"Timeline of {name}")}</title>'
        )
    ]
    for lane in lanes:
        parts.extend(_lane_markup(plot, lane, by_lane[lane]))
    parts.extend(_wide_markers(plot, markers))
    parts.extend(
        _lane_marker(plot, m, text(m.get("lane")))
        for m in markers
        if m.get("kind") != "tick" and m.get("lane") is not None
    )
    parts.extend(_axis(plot))
    parts.extend(_legend(plot))
    parts.append("</svg>")
    return "\n".join(parts)
