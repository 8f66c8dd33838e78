"""What a load report says in words, for its first lines on the console and in HTML."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def headline(report: Mapping[str, Any]) -> str:
    """``PASSED: 57,327 requests at 1,243 req/s, no failures; after warm-up p95 7 ms and an
    edge hit ratio of 0.988.`` (or FAILED, naming the thresholds missed, or saying that no
    request was made)."""
    locust, steady = report["locust"], report["steady"]
    if not locust["requests"]:
        return (
            "FAILED: Locust made no requests, so nothing was measured "
            "(with --web, press Start on Locust's page before Ctrl-C)."
        )
    failures = locust["failures"]
    said = f"{locust['requests']:,} requests at {locust['requests_per_s']:,.0f} req/s, " + (
        f"{failures:,} failures" if failures else "no failures"
    )
    window = steady if steady.get("available") else locust
    p95, ratio = window.get("p95_ms"), window.get("edge_hit_ratio")
    if p95 is not None:
        said += f"; {'after warm-up ' if steady.get('available') else ''}p95 {p95:g} ms"
        said += f" and an edge hit ratio of {ratio:.3f}" if ratio is not None else ""
    if report["passed"]:
        return f"PASSED: {said}."
    missed = ", ".join(t["name"].replace("_", " ") for t in report["thresholds"] if not t["ok"])
    return f"FAILED ({missed} missed): {said}."


def saturation_note(generator: Mapping[str, Any]) -> str | None:
    """A warning in words when Locust, not the stack, was the bottleneck; else None."""
    if not generator.get("available") or not generator.get("saturated"):
        return None
    busiest = generator.get("busiest_process_share_of_core") or 0.0
    why = (
        f"its busiest process used {busiest:.0%} of a core"
        if busiest >= 0.9
        else "Locust itself warned about its CPU"
    )
    return (
        f"Warning: the load generator was the bottleneck ({why}), so these figures measure "
        "Locust rather than the stack. Run with --workers N (a Locust process per core), "
        "or put Locust's workers on other machines."
    )
