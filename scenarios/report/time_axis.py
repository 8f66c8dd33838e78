"""A timeline's time axis that spends its width where things happen.

Scenarios start on an aggregator tick and often spend minutes setting up before the write
they are about, or wait a simulated day for a TTL to run out: drawn to scale, the action is
a few pixels at one edge. The axis is therefore piecewise linear: the stretch before the
story begins and any long stretch in which nothing is observed or marked are drawn as
breaks of a fixed width (with what they hide counted in their tooltip), and the rest
shares the width in proportion to time.

Pure: times in, pieces and pixel positions out; the SVG is drawn by timeline_svg.py.
"""

from __future__ import annotations

import functools
import itertools
import math
from bisect import bisect_right
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

BREAK_W = 56.0  # pixels for one break (room for its length: "+23.9 h")
LONG_GAP_SHARE = 0.3  # an idle gap longer than this share of the window is broken
MIN_GAP = 120.0  # … and longer than this many simulated seconds
LEAD_SHARE = 0.25  # a lead-in longer than this share of the whole is broken too
LABEL_PX = 64.0  # room per axis label


@dataclass(frozen=True)
class Piece:
    start: float
    end: float
    broken: bool  # drawn as a break of BREAK_W pixels


@dataclass(frozen=True)
class TimeAxis:
    pieces: tuple[Piece, ...]
    left: float  # pixel x of the first piece's start
    width: float  # pixels in all

    @property
    def start(self) -> float:
        return self.pieces[0].start

    @property
    def end(self) -> float:
        return self.pieces[-1].end

    @functools.cached_property
    def _scale(self) -> float:
        linear = sum(p.end - p.start for p in self.pieces if not p.broken)
        room = self.width - BREAK_W * sum(p.broken for p in self.pieces)
        return room / linear if linear > 0 else 0.0

    @functools.cached_property
    def _lefts(self) -> tuple[tuple[float, float, Piece], ...]:
        """(pixel x of its start, pixel width, piece) for every piece."""
        out, x = [], self.left
        for piece in self.pieces:
            width = BREAK_W if piece.broken else (piece.end - piece.start) * self._scale
            out.append((x, width, piece))
            x += width
        return tuple(out)

    def x(self, t: float) -> float:
        """The pixel x of time ``t`` (clamped to the axis; inside a break, in proportion)."""
        lefts = self._lefts
        if len(lefts) == 1:  # most plots: one piece, drawn to scale
            start, end = lefts[0][2].start, lefts[0][2].end
            return self.left + self._scale * (min(max(t, start), end) - start)
        t = min(max(t, self.start), self.end)
        for x, width, piece in lefts:
            if t <= piece.end:
                span = piece.end - piece.start
                return x + width * ((t - piece.start) / span if span > 0 else 0.0)
        return self.left + self.width

    def piece_at(self, t: float) -> Piece:
        starts = [p.start for p in self.pieces]
        return self.pieces[max(0, bisect_right(starts, t) - 1)]

    def ticks(self) -> list[tuple[float, int]]:
        """Round label positions (with their decimals) in every linear piece, as many as
        its width has room for."""
        scale, out = self._scale, []
        edges = [self.x(p.start) for p in self.pieces if p.broken]
        edges += [self.x(p.end) for p in self.pieces if p.broken]
        for piece in self.pieces:
            if piece.broken:
                continue
            room = (piece.end - piece.start) * scale
            positions, decimals = round_ticks(piece.start, piece.end, max(1, int(room / LABEL_PX)))
            # A label next to a break would run into the break's own label.
            out += [
                (t, decimals)
                for t in positions
                if all(abs(self.x(t) - e) >= LABEL_PX / 2 for e in edges)
            ]
        return out


def build_axis(
    story: Iterable[float],
    marks: Iterable[float],
    end: float,
    *,
    left: float,
    width: float,
) -> TimeAxis:
    """The axis from 0 to ``end``. ``story`` are the times that tell the scenario's story
    (observations, writes, faults, phases), ``marks`` the other marked times (ticks left
    out): a lead-in before the story and idle gaps without either are broken."""
    story_times = sorted(set(story))
    times = sorted({*story_times, *marks, end})
    end = max([end, *times, 0.0]) or 1.0
    if not story_times:
        return TimeAxis((Piece(0.0, end, False),), left, width)
    begin = _lead_in(story_times, end)
    inside = [t for t in times if t >= begin]
    pieces = _pieces(begin, end, [begin, *inside])
    # A little room after the last event, so that it is not drawn on the edge.
    last = pieces[-1]
    pieces[-1] = Piece(
        last.start, max(last.end, story_times[-1] + _pad(last.start, last.end)), False
    )
    if begin > 0:
        pieces.insert(0, Piece(0.0, begin, True))
    return TimeAxis(tuple(pieces), left, width)


def _lead_in(story: Sequence[float], end: float) -> float:
    """Where the drawn window begins: a little before the story, when the story begins
    late enough that drawing what precedes it to scale would squeeze it."""
    first, last = story[0], max(story[-1], end)
    begin = max(0.0, first - _pad(first, last))
    return begin if begin > LEAD_SHARE * last else 0.0


def _pad(first: float, last: float) -> float:
    return max(5.0, 0.05 * (last - first))


def _pieces(begin: float, end: float, times: Sequence[float]) -> list[Piece]:
    window = end - begin
    threshold = max(MIN_GAP, LONG_GAP_SHARE * window)
    pieces: list[Piece] = []
    cursor = begin
    ordered = sorted(set(times))
    for a, b in itertools.pairwise(ordered):
        if b - a > threshold:
            margin = min(0.05 * (b - a), 30.0)  # keep a little of each side to scale
            if a + margin > cursor:
                pieces.append(Piece(cursor, a + margin, False))
            pieces.append(Piece(a + margin, b - margin, True))
            cursor = b - margin
    if end > cursor or not pieces:
        pieces.append(Piece(cursor, max(end, cursor), False))
    return pieces


def round_ticks(start: float, end: float, target: int) -> tuple[list[float], int]:
    """Round tick positions within [start, end] (steps of 1, 2 or 5 × 10^k) and decimals."""
    if end <= start:
        return [start], 0
    raw = (end - start) / max(target, 1)
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    decimals = max(0, -math.floor(math.log10(step)))
    first = math.ceil(start / step - 1e-9)
    last = math.floor(end / step + 1e-9)
    return [round(i * step, decimals) for i in range(first, last + 1)], decimals


def gap_text(seconds: float) -> str:
    """A break's length in at most seven characters: ``+45 s``, ``+12 min``, ``+23.9 h``."""
    if seconds < 120:
        return f"+{seconds:.0f} s"
    if seconds < 7200:
        return f"+{seconds / 60:.0f} min"
    hours = seconds / 3600
    return f"+{hours:.1f} h" if hours < 100 else f"+{hours / 24:.0f} d"


def duration_text(seconds: float) -> str:
    """``45 s``, ``12 min``, ``23 h 54 min``: how long a break is, for a person."""
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    hours, minutes = divmod(round(seconds / 60), 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"
