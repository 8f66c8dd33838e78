"""The Image Manager best-image benchmark, once per figure."""

from __future__ import annotations

from cdnsim.bench import akamai


def test_the_best_of_the_candidates_is_never_larger_than_the_fixed_pick():
    rows = akamai.measure(1)
    assert len(rows) == 2 * 2 * 3
    for row in rows:
        assert row["best_bytes"] == min(row["candidates"].values())
        assert row["best_bytes"] <= row["fixed_bytes"]  # the fixed pick is a candidate
        assert row["best_cpu_ms"] > 0 and row["fixed_cpu_ms"] > 0
