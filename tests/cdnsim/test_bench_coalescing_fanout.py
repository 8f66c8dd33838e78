"""The coalescing and invalidation fan-out benchmarks, at a small size."""

from __future__ import annotations

from cdnsim.bench import coalescing, fanout


async def test_concurrent_cold_requests_for_one_variant_render_it_once():
    result = await coalescing.measure(20, "portal-cover", 480)
    assert result["ok"] == 20
    assert (
        result["pop_upstream_requests"],
        result["shield_origin_requests"],
        result["renders"],
    ) == (1, 1, 1)
    assert result["collapsed"] == 19


async def test_a_fan_out_purges_exactly_the_packs_named_on_every_pop():
    result = await fanout.measure(pops=3, objects=2_000, variants=10, paths=20)
    assert result["paths"] == 20 and result["objects_per_pop"] == 2_000
    assert result["purged_per_pop"] == [200, 200, 200]
    assert result["remaining_per_pop"] == [1_800, 1_800, 1_800]
