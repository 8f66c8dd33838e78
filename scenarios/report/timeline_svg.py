"""A scenario's timeline as one inline SVG: a lane per POP coloured by what it served when.

The drawing is split into pure steps (segments, axis ticks, label rows) so each can be
tested alone; ``timeline_svg`` puts them together. The SVG is well-formed XML with every text
escaped, so it works inline in HTML and parses with xml.etree.
"""

from __future__ import annotations

from html import escape

from scenarios.report.digest import JSON, text
from scenarios.report.time_axis import TimeAxis, build_axis
from scenarios.report.timeline_frame import (
    DOT_SPACING,
    FONT_PX,
    KIND_COLOURS,
    LABEL_CHARS,
    LABEL_ROW_H,
    LANE_CHARS,
    LANE_H,
    LEFT,
    PLOT_W,
    STATE_COLOURS,
    WIDTH,
    Plot,
    attr,
    axis_markup,
    break_markup,
    fmt,
    legend_markup,
    shorten,
    text_width,
)
from scenarios.report.timeline_layout import label_rows, lane_segments, number, state_of

# Markers that tell a scenario's story: the axis keeps room for them (see time_axis.py).
STORY_KINDS = ("write", "fault", "phase")


def _axis_for(observations: list[JSON], markers: list[JSON], end: float) -> TimeAxis:
    times = {o.get("t") for o in observations if isinstance(o.get("t"), int | float)}
    story = [number(t) for t in times]  # thousands of observations share few times
    story += [number(m.get("t")) for m in markers if m.get("kind") in STORY_KINDS]
    marks = [number(m.get("t")) for m in markers if m.get("kind") != "tick"]
    return build_axis(story, marks, end, left=LEFT, width=PLOT_W)


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


def _lane_markup(plot: Plot, lane: str, observations: list[JSON]) -> list[str]:
    y = plot.lane_y(lane)
    out = [
        f'<g class="lane" data-lane="{attr(lane)}">',
        (
            f"<g><title>{escape(lane)}</title>"
            f'<text class="lane-label" x="{LEFT - 8}" y="{fmt(y + LANE_H / 2 + 4)}" '
            f'text-anchor="end">{escape(shorten(lane, LANE_CHARS))}</text></g>'
        ),
        (
            f'<rect class="lane-bg" x="{LEFT}" y="{fmt(y)}" width="{PLOT_W}" height="{LANE_H}" '
            f'fill="#f4f4f4"/>'
        ),
    ]
    for seg in lane_segments(observations, plot.end):
        x0, x1 = plot.x(seg.start), plot.x(seg.end)
        tip = (
            f"{lane}: {seg.state} {fmt(seg.start)}–{fmt(seg.end)} s, {seg.observations} "
            f"observation{'s' if seg.observations != 1 else ''}"
            + (f" ({seg.label})" if seg.label else "")
        )
        out.append(
            f'<rect class="segment state-{seg.state}" data-lane="{attr(lane)}" '
            f'data-start="{fmt(seg.start)}" data-end="{fmt(seg.end)}" x="{fmt(x0)}" '
            f'y="{fmt(y + 3)}" width="{fmt(max(x1 - x0, 0.5))}" height="{LANE_H - 6}" '
            f'fill="{STATE_COLOURS[seg.state]}"><title>{escape(tip)}</title></rect>'
        )
    # One dot per observation, but one per state in each DOT_SPACING-pixel bucket: a lane
    # of thousands stays readable and the file stays small.
    out.append('<g class="observations" fill="#ffffff" stroke="#000000" stroke-width="0.6">')
    seen: set[tuple[int, str]] = set()
    cy = fmt(y + LANE_H / 2)
    for obs in observations:
        x, state = plot.x(number(obs.get("t"))), state_of(obs)
        bucket = (round(x / DOT_SPACING), state)
        if bucket not in seen:
            seen.add(bucket)
            out.append(f'<circle class="observation" cx="{fmt(x)}" cy="{cy}" r="1.8"/>')
    out.append("</g>")
    out.append("</g>")
    return out


def _lane_marker(plot: Plot, marker: JSON, lane: str) -> str:
    """A marker that belongs to one lane: a triangle for an applied invalidation, else a diamond."""
    kind = text(marker.get("kind"))
    x, y = plot.x(number(marker.get("t"))), plot.lane_y(lane)
    colour = KIND_COLOURS.get(kind, "#555555")
    if kind == "invalidation_applied":
        points = f"{fmt(x - 5)},{fmt(y)} {fmt(x + 5)},{fmt(y)} {fmt(x)},{fmt(y + 8)}"
    else:
        m = y + LANE_H / 2
        points = (
            f"{fmt(x)},{fmt(m - 6)} {fmt(x + 5)},{fmt(m)} {fmt(x)},{fmt(m + 6)} "
            f"{fmt(x - 5)},{fmt(m)}"
        )
    tip = f"{fmt(number(marker.get('t')))} s {kind}: {text(marker.get('label') or '')}"
    return (
        f'<polygon class="marker marker-{attr(kind)}" data-lane="{attr(lane)}" '
        f'points="{points}" fill="{colour}" stroke="#000000" stroke-width="0.5">'
        f"<title>{escape(tip)}</title></polygon>"
    )


def _wide_markers(plot: Plot, markers: list[JSON]) -> list[str]:
    """Ticks as dashed lines, other lane-less markers as solid lines labelled in the top band."""
    out = []
    ticks = [m for m in markers if m.get("kind") == "tick"]
    for m in ticks:
        if plot.hidden(number(m.get("t"))):
            continue
        x = fmt(plot.x(number(m.get("t"))))
        out.append(
            f'<line class="marker marker-tick" x1="{x}" y1="{fmt(plot.top)}" x2="{x}" '
            f'y2="{fmt(plot.bottom)}" stroke="{KIND_COLOURS["tick"]}" '
            f'stroke-dasharray="4 3"><title>{escape(_tip(m))}</title></line>'
        )
    wide = _wide(plot, markers)
    spans = _label_spans(plot, wide)
    for m, row, (left, _right) in zip(wide, label_rows(spans), spans, strict=True):
        kind, x = text(m.get("kind")), fmt(plot.x(number(m.get("t"))))
        colour = KIND_COLOURS.get(kind, "#555555")
        out.append(
            f'<g class="marker marker-{attr(kind)}"><title>{escape(_tip(m))}</title>'
            f'<line x1="{x}" y1="{fmt(plot.top - 2)}" x2="{x}" y2="{fmt(plot.bottom)}" '
            f'stroke="{colour}" stroke-width="1.5"/>'
        )
        if row >= 0:
            y = 8 + row * LABEL_ROW_H + 9
            out.append(
                f'<text class="marker-label" x="{fmt(left + 3)}" y="{y}" '
                f'fill="{colour}">{escape(_short(m))}</text>'
            )
        out.append("</g>")
    return out


def _wide(plot: Plot, markers: list[JSON]) -> list[JSON]:
    """Lane-less markers other than ticks, in time order, outside breaks, one per kind,
    label and time (``×N`` when several alike coincide): the ones with a labelled line."""
    alike: dict[tuple[str, str, float], JSON] = {}
    for m in sorted(markers, key=lambda m: number(m.get("t"))):
        t = number(m.get("t"))
        if m.get("kind") == "tick" or m.get("lane") is not None or plot.hidden(t):
            continue
        key = (text(m.get("kind")), text(m.get("label") or ""), round(t, 3))
        if key in alike:
            alike[key] = {**alike[key], "count": alike[key].get("count", 1) + 1}
        else:
            alike[key] = m
    return list(alike.values())


def _label_spans(plot: Plot, wide: list[JSON]) -> list[tuple[float, float]]:
    """Where each label would sit: right of its line, or left of it near the right edge."""
    spans = []
    for m in wide:
        x, w = plot.x(number(m.get("t"))), text_width(_short(m)) + 6
        spans.append((x, x + w) if x + w <= WIDTH else (max(0.0, x - w), x))
    return spans


def _short(marker: JSON) -> str:
    label = text(marker.get("label") or marker.get("kind"))
    count = marker.get("count", 1)
    return shorten(label, LABEL_CHARS) + (f" ×{count}" if count > 1 else "")


def _tip(marker: JSON) -> str:
    times = f" ×{marker['count']}" if marker.get("count", 1) > 1 else ""
    return (
        f"{fmt(number(marker.get('t')))} s {text(marker.get('kind'))}: "
        f"{text(marker.get('label') or '')}{times}"
    )


def timeline_svg(name: str, timeline: JSON | None) -> str:
    """The plot of one scenario: ``<svg class="timeline" data-scenario="NAME">``.

    An empty timeline still gives an svg, with a "no observations" note in it, so every
    scenario has exactly one plot element.
    """
    lanes, observations, markers, end = _timeline_parts(timeline or {})
    axis = _axis_for(observations, markers, end)
    head = f'<svg class="timeline" data-scenario="{attr(name)}" xmlns="http://www.w3.org/2000/svg"'
    if not observations and not markers:
        return (
            f'{head} width="{WIDTH}" height="40" viewBox="0 0 {WIDTH} 40" role="img">'
            f'<text class="empty" x="{LEFT}" y="24">no observations</text></svg>'
        )
    # The label band is as tall as the rows its labels need; x does not depend on it.
    unbanded = Plot(lanes, axis, 0)
    rows = label_rows(_label_spans(unbanded, _wide(unbanded, markers)))
    plot = Plot(lanes, axis, max(rows, default=-1) + 1)
    by_lane: dict[str, list[JSON]] = {lane: [] for lane in lanes}
    for obs in observations:
        if obs.get("lane") is not None:
            by_lane[text(obs.get("lane"))].append(obs)
    parts = [
        (
            f'{head} width="{WIDTH}" height="{plot.height}" '
            f'viewBox="0 0 {WIDTH} {plot.height}" role="img" font-size="{FONT_PX}" '
            f'font-family="sans-serif"><title>{escape(f"Timeline of {name}")}</title>'
        )
    ]
    for lane in lanes:
        parts.extend(_lane_markup(plot, lane, by_lane[lane]))
    parts.extend(_wide_markers(plot, markers))
    parts.extend(
        _lane_marker(plot, m, text(m.get("lane")))
        for m in markers
        if m.get("kind") != "tick"
        and m.get("lane") is not None
        and not plot.hidden(number(m.get("t")))
    )
    parts.extend(break_markup(plot, markers))
    parts.extend(axis_markup(plot))
    parts.extend(legend_markup(plot))
    parts.append("</svg>")
    return "\n".join(parts)
