"""The figures of one run, each from one side: Locust's (its --json-file entries and the
per-second timelines its processes write) and the stack's (counter samples, event counts).

Pure functions over plain JSON; :mod:`cdnsim.load.report` joins them.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from cdnsim.load import latency


# -- Locust's side --------------------------------------------------------------------
def locust_totals(stats: Sequence[Mapping[str, Any]], duration: float) -> dict[str, Any]:
    """Requests, failures, req/s and percentiles over the whole run, from Locust's
    --json-file entries (one per request name), and the same per name."""
    requests = sum(e["num_requests"] for e in stats)
    failures = sum(e["num_failures"] for e in stats)
    histogram = latency.merge(e["response_times"] for e in stats)
    by_name = [
        {
            "name": e["name"],
            "requests": e["num_requests"],
            "failures": e["num_failures"],
            **latency.summary(latency.merge([e["response_times"]])),
        }
        for e in sorted(stats, key=lambda e: e["name"])
    ]
    return {
        "requests": requests,
        "failures": failures,
        "failure_ratio": failures / requests if requests else 0.0,
        "requests_per_s": round(requests / duration, 1) if duration > 0 else 0.0,
        **latency.summary(histogram),
        "by_name": by_name,
    }


def merge_timelines(timelines: Sequence[Mapping[str, Any]]) -> dict[int, dict[str, Any]]:
    """Every process's per-second record added up: {second: {requests, failures, hits, latency_ms}}."""
    merged: dict[int, dict[str, Any]] = {}
    for process in timelines:
        for key, record in process["seconds"].items():
            into = merged.setdefault(
                int(key),
                {"requests": 0, "failures": 0, "hits": 0, "admin_writes": 0, "latency_ms": {}},
            )
            for field in ("requests", "failures", "hits", "admin_writes"):
                into[field] += record.get(field, 0)
            into["latency_ms"] = latency.merge([into["latency_ms"], record["latency_ms"]])
    return merged


def seconds_between(
    seconds: Mapping[int, dict[str, Any]], start: float, end: float
) -> list[dict[str, Any]]:
    # A whole second [s, s+1) belongs to the interval holding its middle.
    return [record for s, record in seconds.items() if start <= s + 0.5 < end]


# -- the stack's side -----------------------------------------------------------------
def _delta(
    later: Mapping[str, Any], earlier: Mapping[str, Any] | None, pop: str, field: str
) -> int:
    before = earlier["pops"].get(pop, {}).get(field, 0) if earlier else 0
    return int(later["pops"][pop].get(field, 0)) - int(before)


def edge_figures(later: Mapping[str, Any], earlier: Mapping[str, Any] | None) -> dict[str, Any]:
    """What the edge did between two samples (or since it started, with no earlier one):
    per POP requests, hits, hit ratio, collapsed and upstream fetches; their totals over the
    viewer-facing POPs; origin requests (the shield's fetches, or the POPs' without one)
    and the origin offload, the share of viewer requests the origin never saw."""
    per_pop: dict[str, dict[str, Any]] = {}
    for pop, counters in later["pops"].items():
        d = {
            f: _delta(later, earlier, pop, f)
            for f in ("requests", "hits", "bypass", "collapsed", "origin_fetches")
        }
        cacheable = d["requests"] - d["bypass"]
        per_pop[pop] = {
            "role": counters.get("role", "pop"),
            **d,
            "hit_ratio": round(d["hits"] / cacheable, 4) if cacheable > 0 else None,
        }
    viewers = [p for p in per_pop.values() if p["role"] == "pop"]
    shields = [p for p in per_pop.values() if p["role"] == "shield"]
    requests = sum(p["requests"] - p["bypass"] for p in viewers)
    hits = sum(p["hits"] for p in viewers)
    origin = sum(p["origin_fetches"] for p in (shields or viewers))
    return {
        "per_pop": per_pop,
        "edge_requests": requests,
        "edge_hits": hits,
        "edge_hit_ratio": round(hits / requests, 4) if requests else None,
        "collapsed": sum(p["collapsed"] for p in per_pop.values()),
        "origin_requests": origin,
        "origin_offload": round(1 - origin / requests, 4) if requests else None,
    }


def event_counts(samples: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    total: dict[str, int] = {}
    for sample in samples:
        for kind, count in sample.get("events", {}).items():
            total[kind] = total.get(kind, 0) + count
    return total


def stack_totals(samples: Sequence[Mapping[str, Any]]) -> dict[str, Any]:
    """The stack's figures over the whole run (first sample to last)."""
    if len(samples) < 2:
        return {}
    events = event_counts(samples[1:])
    return {
        **edge_figures(samples[-1], samples[0]),
        "renders": events.get("render", 0),
        "render_cpu_s": round(sum(s.get("render_cpu_s", 0.0) for s in samples[1:]), 3),
        "render_failures": events.get("render_failed", 0),
        "forced_changes": events.get("forced_change", 0),
        "invalidations": {
            k: events.get(f"invalidation_{k}", 0) for k in ("created", "applied", "completed")
        },
        "variants_deleted": events.get("variants_deleted", 0),
        # Events that left the stack's bounded log before they were read: the counts above
        # are short by up to this many (0 when the log kept up).
        "events_missed": samples[-1].get("events_missed", 0) - samples[0].get("events_missed", 0),
    }
