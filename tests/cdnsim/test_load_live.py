"""The live line of `cdnsim load`: the window it covers (behind the newest sample, so that
Locust's timelines have caught up), what it says, and the warning for a run in which no
aggregator tick falls."""

from __future__ import annotations

from cdnsim.load import live
from tests.cdnsim.test_load_report import T0, _sample, _second


def _samples() -> list[dict]:  # type: ignore[type-arg]
    # One sample a second; the edge hits 90 of every 100 requests; 3 admin writes at second 4.
    return [
        _sample(t, 90 * t, 100 * t, 10 * t, {"render": 2, "invalidation_created": t == 5})
        for t in range(11)
    ]


def _seconds() -> dict[int, dict]:  # type: ignore[type-arg]
    seconds = {int(T0) + s: _second(100, 90, {"2": 90, "40": 10}) for s in range(10)}
    seconds[int(T0) + 4]["admin_writes"] = 3
    return seconds


def test_the_window_is_the_last_five_seconds_that_both_sides_reported() -> None:
    span = live.window(_samples(), now=T0 + 10.2)
    assert (span[0]["t"], span[-1]["t"]) == (T0 + 2, T0 + 7)  # ends 2.5 s before now
    assert live.window(_samples()[:2], now=T0 + 1.5) == []


def test_the_line_gives_rate_latency_failures_hit_ratio_origin_renders_and_admin_work() -> None:
    line = live.live_line(_samples(), _seconds(), T0, now=T0 + 10.2, duration=60)
    assert line is not None and line.startswith("[10/60 s] 100 req/s, p50 2 ms, p95 40 ms")
    assert "failures 0 (0 in all)" in line and "hit ratio 0.900" in line
    assert "origin fetches 50, renders 10" in line
    assert "admin writes 3, invalidations 1 created / 0 applied" in line
    quiet = live.live_line(_samples(), _seconds(), T0, now=T0 + 13.2, duration=60)
    assert quiet is not None and "admin writes" not in quiet  # nothing of the kind: not said


def test_no_line_before_there_is_a_window() -> None:
    assert live.live_line(_samples()[:3], _seconds(), T0, now=T0 + 2.6, duration=60) is None


def test_a_run_without_an_aggregator_tick_is_warned_about() -> None:
    real = {"spec": "real", "now": 1000.0, "nextAggregatorTick": 1240.0}
    warning = live.no_tick_warning(real, duration=60)
    assert warning is not None and "flushes next in 240 wall seconds" in warning
    assert live.no_tick_warning(real, duration=300) is None
    scaled = {"spec": "scaled:20@5.0", "now": 1000.0, "nextAggregatorTick": 1240.0}
    assert live.no_tick_warning(scaled, duration=60) is None  # 12 wall seconds away
    manual = {"spec": "manual@0", "now": 1000.0, "nextAggregatorTick": 99999.0}
    assert live.no_tick_warning(manual, duration=60) is None
