"""The pure layout of a timeline plot: state segments per lane, label rows (the time axis
is time_axis.py).

No markup here, so each rule can be tested on its own; timeline_svg.py draws the result.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from scenarios.report.digest import JSON, text

STATES = ("fresh", "stale", "error", "other")
LABEL_ROWS = 8


@dataclass(frozen=True)
class Segment:
    """A stretch of one lane in one state: from ``start`` until the state changes."""

    start: float
    end: float
    state: str
    label: str
    observations: int


def number(value: Any, default: float = 0.0) -> float:
    ok = isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)
    return float(value) if ok else default


def state_of(observation: JSON) -> str:
    state = observation.get("state")
    return state if state in STATES else "other"


def lane_segments(observations: list[JSON], end: float) -> list[Segment]:
    """Merge one lane's observations into segments of equal state, up to ``end``.

    Before the first observation there is no segment; a state lasts until the next
    observation with a different state (or ``end``), so thousands of equal answers make one
    segment. The segment keeps the first observation's label.
    """
    ordered = sorted(observations, key=lambda o: number(o.get("t")))
    segments: list[Segment] = []
    start, state, label, count = 0.0, "", "", 0
    for obs in ordered:
        t, obs_state = number(obs.get("t")), state_of(obs)
        if count and obs_state == state:
            count += 1
            continue
        if count:
            segments.append(Segment(start, t, state, label, count))
        start, state, label, count = t, obs_state, text(obs.get("label") or ""), 1
    if count:
        segments.append(Segment(start, max(end, start), state, label, count))
    return segments


def label_rows(spans: list[tuple[float, float]], max_rows: int = LABEL_ROWS) -> list[int]:
    """Give each label span (x-from, x-to) the first row where it overlaps nothing; -1 if none."""
    row_ends: list[float] = []
    rows = []
    for left, right in spans:
        row = next((i for i, row_end in enumerate(row_ends) if row_end < left), -1)
        if row < 0 and len(row_ends) < max_rows:
            row_ends.append(-math.inf)
            row = len(row_ends) - 1
        if row >= 0:
            row_ends[row] = right + 4
        rows.append(row)
    return rows
