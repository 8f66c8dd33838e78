"""The line ``cdnsim load`` prints every few seconds while Locust runs.

It covers the last ``WINDOW`` seconds that both sides have reported: the stack's samples
are current, while each Locust process writes its per-second timeline only every second
or so (``loadtests/audience.py``), so the window ends ``LAG`` seconds ago. Its figures are
those of the report's timeline rows (:func:`cdnsim.load.report.interval`), over a longer
span. Pure: the runner passes what it has read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdnsim.load.report import interval

WINDOW = 5.0  # seconds a line covers
LAG = 2.5  # seconds behind the newest sample, so that Locust's timelines have caught up
EVERY = 5.0  # seconds between lines


def window(samples: Sequence[Mapping[str, Any]], now: float) -> list[Mapping[str, Any]]:
    """The samples spanning the last ``WINDOW`` seconds that end ``LAG`` before ``now``."""
    done = [s for s in samples if s["t"] <= now - LAG]
    if len(done) < 2:
        return []
    end = done[-1]["t"]
    first = max((i for i, s in enumerate(done) if s["t"] <= end - WINDOW), default=0)
    return list(done[first:])


def live_line(
    samples: Sequence[Mapping[str, Any]],
    seconds: Mapping[int, dict[str, Any]],
    started: float,
    now: float,
    duration: float,
) -> str | None:
    """``[ 15/60 s] 3,412 req/s, p50 4 ms, p95 9 ms, failures 0 │ hit ratio 0.998, …``,
    or None before there is a window to describe."""
    span = window(samples, now)
    if len(span) < 2:
        return None
    row = interval(span, seconds, started)
    failures_so_far = sum(r["failures"] for r in seconds.values())
    if duration == float("inf"):  # Locust's web UI: runs until the user ends it
        elapsed = f"{now - started:>4.0f} s"
    else:
        elapsed = f"{min(now - started, duration):>{len(f'{duration:g}')}.0f}/{duration:g} s"
    client = (
        f"{row['requests_per_s']:,.0f} req/s, p50 {_ms(row['p50_ms'])}, "
        f"p95 {_ms(row['p95_ms'])}, failures {row['failures']} ({failures_so_far} in all)"
    )
    ratio = row["edge_hit_ratio"]
    stack = (
        f"hit ratio {'–' if ratio is None else f'{ratio:.3f}'}, "
        f"origin fetches {row['origin_requests']}, renders {row['renders']}"
    )
    if row["admin_writes"] or row["invalidations_created"] or row["invalidations_applied"]:
        stack += (
            f", admin writes {row['admin_writes']}, invalidations "
            f"{row['invalidations_created']} created / {row['invalidations_applied']} applied"
        )
    return f"[{elapsed}] {client} | {stack}"


def no_tick_warning(clock: Mapping[str, Any], duration: float) -> str | None:
    """A warning when no aggregator tick of the stack's clock (``GET /_sim/clock``) falls
    within a run of ``duration`` wall seconds: its admin writes would not be invalidated."""
    tick, now, spec = clock.get("nextAggregatorTick"), clock.get("now"), str(clock.get("spec"))
    if tick is None or now is None or spec.startswith("manual"):
        return None  # a manual clock moves only when told to
    factor = float(spec.split(":")[1].split("@")[0]) if spec.startswith("scaled:") else 1.0
    wait = (float(tick) - float(now)) / factor
    if wait <= duration:
        return None
    return (
        f"note: the stack's aggregator flushes next in {wait:.0f} wall seconds, after this "
        f"{duration:g} s run: its admin writes will not be invalidated during it (start the "
        "stack with --clock scaled:20 or a shorter --aggregator-interval)"
    )


def _ms(value: float | None) -> str:
    return "–" if value is None else f"{value:g} ms"
