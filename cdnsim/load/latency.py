"""Latency histograms ({milliseconds: count}, as Locust keeps them): merging and percentiles."""

from __future__ import annotations

from collections.abc import Iterable, Mapping


def merge(histograms: Iterable[Mapping[str | int, int]]) -> dict[int, int]:
    """One histogram from many; keys may be strings (as JSON leaves them) or integers."""
    total: dict[int, int] = {}
    for histogram in histograms:
        for key, count in histogram.items():
            total[int(key)] = total.get(int(key), 0) + int(count)
    return total


def percentile(histogram: Mapping[int, int], fraction: float) -> float | None:
    """The smallest latency that at least ``fraction`` of the requests did not exceed
    (nearest rank); None for an empty histogram."""
    count = sum(histogram.values())
    if count == 0:
        return None
    wanted = max(1, fraction * count)
    seen = 0
    for latency in sorted(histogram):
        seen += histogram[latency]
        if seen >= wanted - 1e-9:
            return float(latency)
    return float(max(histogram))


def summary(histogram: Mapping[int, int]) -> dict[str, float | None]:
    """p50, p95, p99 and max of a histogram, in ms."""
    return {
        "p50_ms": percentile(histogram, 0.50),
        "p95_ms": percentile(histogram, 0.95),
        "p99_ms": percentile(histogram, 0.99),
        "max_ms": float(max(histogram)) if histogram else None,
    }
