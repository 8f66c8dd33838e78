"""Join what Locust measured with what the stack counted, into one report.

Pure: the input is a *recording* (plain JSON, see :func:`join`), so a report can be
rebuilt from a saved run and tests can check the joining on recorded data.

Time: Locust's per-second timelines and the stack samples both carry the load command's
wall clock, so they line up; the stack's own event times are not used (its clock may be
scaled), events are counted in the sample interval that read them.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from cdnsim.load import figures, latency

SATURATION_SHARE = 0.9  # of one core: a Locust process is one gevent loop on one core


@dataclass(frozen=True)
class Thresholds:
    max_failure_ratio: float | None = 0.0
    max_p95_ms: float | None = 50.0
    min_hit_ratio: float | None = 0.95


def join(recording: Mapping[str, Any], thresholds: Thresholds) -> dict[str, Any]:
    """The report of one run. ``recording`` holds: ``started``/``ended`` (wall seconds),
    ``warmup_s``, ``cpu_count``, ``settings``, ``locust`` (``stats``: Locust's --json-file
    entries, ``log_warnings``), ``timelines`` (each Locust process's per-second record) and
    ``samples`` (``t``, cumulative ``pops`` counters with their ``role``, ``events`` counted
    since the previous sample, ``render_cpu_s``, cumulative ``locust_cpu_s`` per pid,
    cumulative ``stack_cpu_s`` or None)."""
    samples = list(recording["samples"])
    seconds = figures.merge_timelines(recording.get("timelines", []))
    steady_from = recording["started"] + recording.get("warmup_s", 0.0)
    intervals = timeline(samples, seconds, recording["started"])
    report: dict[str, Any] = {
        "settings": dict(recording.get("settings", {})),
        "machine": {
            "cpu_count": recording["cpu_count"],
            "note": "the stack and Locust share this machine's cores",
        },
        "window": {
            "duration_s": round(recording["ended"] - recording["started"], 2),
            "warmup_s": recording.get("warmup_s", 0.0),
        },
        "locust": figures.locust_totals(
            recording["locust"]["stats"], recording["ended"] - recording["started"]
        ),
        "steady": steady(samples, seconds, steady_from),
        "stack": figures.stack_totals(samples),
        "timeline": intervals,
        "phases": phases(intervals, recording.get("warmup_s", 0.0)),
        "load_generator": load_generator(
            samples,
            recording["cpu_count"],
            recording["locust"].get("log_warnings", []),
            recording["locust"].get("cpu_s"),
            (steady_from, max(seconds, default=recording["ended"] - 1) + 1),
        ),
    }
    report["thresholds"] = check(report, thresholds)
    report["passed"] = all(t["ok"] for t in report["thresholds"])
    return report


# -- over time ------------------------------------------------------------------------
def timeline(
    samples: Sequence[Mapping[str, Any]], seconds: Mapping[int, dict[str, Any]], started: float
) -> list[dict[str, Any]]:
    """One row per sample interval: Locust's req/s, failures and latency in it, the
    edge's hit ratio, origin requests, renders, collapsed requests, admin writes and
    invalidations."""
    return [
        interval(samples[i : i + 2], seconds, started)
        for i in range(len(samples) - 1)
        if samples[i + 1]["t"] > samples[i]["t"]
    ]


def interval(
    samples: Sequence[Mapping[str, Any]], seconds: Mapping[int, dict[str, Any]], started: float
) -> dict[str, Any]:
    """The row of the span from the first sample to the last (events: those read by the
    samples after the first)."""
    earlier, later = samples[0], samples[-1]
    span = later["t"] - earlier["t"]
    client = figures.seconds_between(seconds, earlier["t"], later["t"])
    requests = sum(r["requests"] for r in client)
    edge = figures.edge_figures(later, earlier)
    events = figures.event_counts(samples[1:])
    hist = latency.merge(r["latency_ms"] for r in client)
    return {
        "t": round(later["t"] - started, 2),
        "span_s": round(span, 2),
        "requests_per_s": round(requests / span, 1),
        "failures": sum(r["failures"] for r in client),
        "p50_ms": latency.percentile(hist, 0.5),
        "p95_ms": latency.percentile(hist, 0.95),
        "client_hit_ratio": round(sum(r["hits"] for r in client) / requests, 4)
        if requests
        else None,
        "edge_requests_per_s": round(edge["edge_requests"] / span, 1),
        "edge_hit_ratio": edge["edge_hit_ratio"],
        "origin_requests": edge["origin_requests"],
        "collapsed": edge["collapsed"],
        "renders": events.get("render", 0),
        "render_cpu_s": round(sum(s.get("render_cpu_s", 0.0) for s in samples[1:]), 3),
        "admin_writes": sum(r.get("admin_writes", 0) for r in client),
        "forced_changes": events.get("forced_change", 0),
        "invalidations_created": events.get("invalidation_created", 0),
        "invalidations_applied": events.get("invalidation_applied", 0),
        "locust_cpu_share": _share(_cpu_delta(later, earlier), span, 1),
    }


def steady(
    samples: Sequence[Mapping[str, Any]], seconds: Mapping[int, dict[str, Any]], steady_from: float
) -> dict[str, Any]:
    """After warm-up: the edge's hit ratio (per POP and overall), origin offload, and
    Locust's rate and percentiles (from the per-second timelines)."""
    after = [s for s in samples if s["t"] >= steady_from]
    if len(after) < 2:
        return {"available": False}
    first, last = after[0], after[-1]
    span = last["t"] - first["t"]
    client = figures.seconds_between(seconds, first["t"], last["t"])
    requests = sum(r["requests"] for r in client)
    hist = latency.merge(r["latency_ms"] for r in client)
    return {
        "available": True,
        "from_s": round(first["t"] - samples[0]["t"], 2),
        "span_s": round(span, 2),
        "requests": requests,
        "failures": sum(r["failures"] for r in client),
        "requests_per_s": round(requests / span, 1) if span > 0 else 0.0,
        **latency.summary(hist),
        **figures.edge_figures(last, first),
        "renders": figures.event_counts(after[1:]).get("render", 0),
    }


def phases(rows: Sequence[Mapping[str, Any]], warmup_s: float) -> list[dict[str, Any]]:
    """A rebuild's run in consecutive phases that cover it whole (so their renders add up to
    the run's): *warm-up*; *before* the forced location change; *waiting for the tick* that
    invalidates it (renders here come from earlier invalidations of the stack, such as the
    admin writes of another profile); the *surge*, from that invalidation to the end of the renders it
    caused (no render for two intervals); *after*. Empty phases are left out."""
    change = next((i for i, r in enumerate(rows) if r["forced_changes"]), None)
    if change is None:
        return []
    tick = next((i for i in range(change, len(rows)) if rows[i]["invalidations_created"]), None)
    surge_start = change if tick is None else tick
    surge_end = _wave_end(rows, surge_start)
    warm = next((i for i, r in enumerate(rows[:change]) if r["t"] > warmup_s), change)
    bounds = [
        ("warm-up", 0, warm),
        ("before", warm, change),
        ("waiting for the tick", change, surge_start),
        ("surge", surge_start, surge_end),
        ("after", surge_end, len(rows)),
    ]
    return [_phase(name, rows[a:b]) for name, a, b in bounds if b > a]


def _wave_end(rows: Sequence[Mapping[str, Any]], start: int) -> int:
    """The index after the last rendering interval of the wave that begins at ``start``."""
    end, quiet, seen = start + 1, 0, False
    for i in range(start, len(rows)):
        if rows[i]["renders"]:
            end, quiet, seen = i + 1, 0, True
        elif seen and (quiet := quiet + 1) >= 2:
            break
    return end


def _phase(name: str, rows: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    span = sum(r["span_s"] for r in rows)
    edge_requests = sum(r["edge_requests_per_s"] * r["span_s"] for r in rows)
    hits = sum((r["edge_hit_ratio"] or 0) * r["edge_requests_per_s"] * r["span_s"] for r in rows)
    return {
        "phase": name,
        "from_s": round(rows[0]["t"] - rows[0]["span_s"], 2) if rows else None,
        "to_s": rows[-1]["t"] if rows else None,
        "requests_per_s": round(sum(r["requests_per_s"] * r["span_s"] for r in rows) / span, 1)
        if span
        else None,
        "worst_p95_ms": max((r["p95_ms"] for r in rows if r["p95_ms"] is not None), default=None),
        "edge_hit_ratio": round(hits / edge_requests, 4) if edge_requests else None,
        "origin_requests": sum(r["origin_requests"] for r in rows),
        "renders": sum(r["renders"] for r in rows),
        "peak_renders_per_interval": max((r["renders"] for r in rows), default=0),
        "render_cpu_s": round(sum(r["render_cpu_s"] for r in rows), 3),
    }


# -- the load generator ---------------------------------------------------------------
def _cpu_delta(later: Mapping[str, Any], earlier: Mapping[str, Any]) -> dict[str, float]:
    before = earlier.get("locust_cpu_s", {})
    return {pid: cpu - before.get(pid, 0.0) for pid, cpu in later.get("locust_cpu_s", {}).items()}


def _share(per_process: Mapping[str, float], span: float, cores: int) -> float:
    return round(sum(per_process.values()) / (span * cores), 3) if span > 0 else 0.0


def load_generator(
    samples: Sequence[Mapping[str, Any]],
    cpu_count: int,
    warnings: Sequence[str],
    total_cpu_s: float | None = None,
    busy_window: tuple[float, float] | None = None,
) -> dict[str, Any]:
    """Locust's CPU: its share of the machine, the busiest process's share of one core
    (over the busiest interval within ``busy_window``, the wall times when it was loading:
    starting up and writing its reports at the end are not load), and whether it saturated
    (≥ 90 % of a core, or Locust's own warning)."""
    if len(samples) < 2:
        return {"available": False}
    span = samples[-1]["t"] - samples[0]["t"]
    # Locust's processes are gone by the last sample: the exact total, when given, comes
    # from the kernel's account of the children that were waited for.
    total = {"all": total_cpu_s} if total_cpu_s is not None else _cpu_delta(samples[-1], samples[0])
    busiest = 0.0
    for earlier, later in itertools.pairwise(samples):
        inside = (
            busy_window is None or busy_window[0] <= earlier["t"] and later["t"] <= busy_window[1]
        )
        if later["t"] - earlier["t"] >= 0.5 and inside:
            busiest = max(
                [
                    busiest,
                    *(c / (later["t"] - earlier["t"]) for c in _cpu_delta(later, earlier).values()),
                ]
            )
    first_cpu, last_cpu = samples[0].get("stack_cpu_s"), samples[-1].get("stack_cpu_s")
    stack_share = None
    if first_cpu is not None and last_cpu is not None and span > 0:
        stack_share = round((last_cpu - first_cpu) / (span * cpu_count), 3)
    saturated = busiest >= SATURATION_SHARE or bool(warnings)
    return {
        "available": True,
        "processes": max((len(s.get("locust_cpu_s", {})) for s in samples), default=0),
        "cpu_s": round(sum(total.values()), 2),
        "share_of_machine": _share(total, span, cpu_count),
        "busiest_process_share_of_core": round(busiest, 3),
        "stack_share_of_machine": stack_share,
        "saturated": saturated,
        "warnings": list(warnings),
    }


# -- thresholds -----------------------------------------------------------------------
def check(report: Mapping[str, Any], thresholds: Thresholds) -> list[dict[str, Any]]:
    """Each threshold with its value: failure ratio over the whole run; p95 and the edge
    hit ratio after warm-up (over the whole run when there is no steady window)."""
    steady_window = report["steady"] if report["steady"].get("available") else None
    p95 = (steady_window or report["locust"])["p95_ms"]
    hit_ratio = (steady_window or report["stack"]).get("edge_hit_ratio")
    rows = []
    if thresholds.max_failure_ratio is not None:
        # No requests: no ratio to compare (a 0 there read "0 ≤ 0: FAIL").
        value = report["locust"]["failure_ratio"] if report["locust"]["requests"] else None
        rows.append(
            {
                "name": "failure_ratio",
                "limit": f"≤ {thresholds.max_failure_ratio:g}",
                "value": value,
                "ok": value is not None and value <= thresholds.max_failure_ratio,
            }
        )
    if thresholds.max_p95_ms is not None:
        rows.append(
            {
                "name": "p95_ms",
                "limit": f"< {thresholds.max_p95_ms:g}",
                "value": p95,
                "ok": p95 is not None and p95 < thresholds.max_p95_ms,
            }
        )
    if thresholds.min_hit_ratio is not None:
        rows.append(
            {
                "name": "edge_hit_ratio",
                "limit": f"≥ {thresholds.min_hit_ratio:g}",
                "value": hit_ratio,
                "ok": hit_ratio is not None and hit_ratio >= thresholds.min_hit_ratio,
            }
        )
    return rows
