"""The aggregator turns admin writes into S3 variant deletions and batched edge
invalidations at each tick, one entry per pack, surviving restarts without repeats."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from common.clock import MANUAL_EPOCH
from origin.aggregator.service import Aggregator
from origin.aggregator.settings import AggregatorSettings
from tests.conftest import png_bytes


async def _pack(client, headers) -> str:  # type: ignore[no-untyped-def]
    response = await client.post("/adminAPI/imagePacks", json={}, headers=headers)
    return (await response.json())["id"]


async def _upload(client, headers, pack: str, location: str = "main", colour=(200, 0, 0)) -> None:  # type: ignore[no-untyped-def]
    data = {"file": png_bytes(color=colour)}
    response = await client.post(
        f"/adminAPI/imagePack/{pack}/{location}/upload", data=data, headers=headers
    )
    assert response.status == 200, await response.text()


async def _variant(storage, tenant: str, pack: str, location: str = "main") -> str:  # type: ignore[no-untyped-def]
    key = f"{tenant}/{pack}/{location}/w=10"
    await storage.put_object(storage.settings.variants_bucket, key, b"old variant", "image/jpeg")
    return key


def _kinds(events, kind: str):  # type: ignore[no-untyped-def]
    return [e.data for e in events.read(kinds=[kind])]


async def test_many_writes_to_one_pack_make_one_entry_and_one_path(
    pipeline, origin_client, admin_headers, storage, events
):
    pack = await _pack(origin_client, admin_headers)
    for colour in [(1, 0, 0), (2, 0, 0), (3, 0, 0)]:
        await _upload(origin_client, admin_headers, pack, colour=colour)
    variant = await _variant(storage, "demo", pack)
    await pipeline.aggregator.tick()
    [flush] = _kinds(events, "aggregator_flush_started")
    assert flush["packs"] == [f"demo/{pack}"]
    [request] = _kinds(events, "edge_invalidation_requested")
    assert request["paths"] == [f"/api/v2/img/{pack}*"]
    assert await storage.get_object(storage.settings.variants_bucket, variant) is None


async def test_paths_are_batched_fifteen_per_request(
    pipeline, origin_client, admin_headers, events
):
    packs = [await _pack(origin_client, admin_headers) for _ in range(20)]
    for pack in packs:
        await _upload(origin_client, admin_headers, pack)
    await pipeline.aggregator.tick()
    requests = _kinds(events, "edge_invalidation_requested")
    assert [len(r["paths"]) for r in requests[:1]] == [15]
    # CloudFront allows 15 wildcard paths in progress: the rest waits for the first to complete.
    assert _kinds(events, "edge_invalidation_refused")


async def test_a_refused_batch_is_retried_once_the_edge_has_room(
    pipeline, origin_client, admin_headers, clock, events
):
    packs = [await _pack(origin_client, admin_headers) for _ in range(20)]
    for pack in packs:
        await _upload(origin_client, admin_headers, pack)
    runner = asyncio.create_task(pipeline.aggregator.run())
    await asyncio.sleep(0)
    await clock.advance(
        300 + 30 + 30
    )  # the tick, then retries every 30 s; the slowest POP takes 40 s
    requested = [p for r in _kinds(events, "edge_invalidation_requested") for p in r["paths"]]
    assert sorted(requested) == sorted(f"/api/v2/img/{p}*" for p in packs)
    assert len(_kinds(events, "aggregator_flush_completed")) == 1
    runner.cancel()


async def test_ticks_are_aligned_and_pops_purge_after_their_own_delay(
    pipeline, origin_client, admin_headers, clock, events
):
    runner = asyncio.create_task(pipeline.aggregator.run())
    await asyncio.sleep(0)
    await clock.advance(100)
    pack = await _pack(origin_client, admin_headers)
    await _upload(origin_client, admin_headers, pack)
    await clock.advance(250)  # past the tick at 300 and both POP delays (10 s, 40 s)
    assert [e.time - MANUAL_EPOCH for e in events.read(kinds=["aggregator_tick"])] == [300]
    assert {pop.pop_id: [t for t, _ in pop.purges] for pop in pipeline.pops} == {
        "pop-a": [310],
        "pop-b": [340],
    }
    runner.cancel()


async def test_metadata_only_changes_invalidate_nothing(
    pipeline, origin_client, admin_headers, events
):
    pack = await _pack(origin_client, admin_headers)
    await pipeline.aggregator.tick()
    await origin_client.put(
        f"/adminAPI/imagePack/{pack}", json={"assetId": "renamed"}, headers=admin_headers
    )
    await pipeline.aggregator.tick()
    assert _kinds(events, "aggregator_flush_started") == []


async def test_forced_location_change_queues_every_pack_of_the_tenant(
    pipeline, origin_client, admin_headers, events
):
    await origin_client.put(
        "/adminAPI/imageLocationConfig/thumb", json={"width": 100}, headers=admin_headers
    )
    packs = [await _pack(origin_client, admin_headers) for _ in range(3)]
    await origin_client.put(
        "/adminAPI/imageLocationConfig/thumb/label", json={"label": "x"}, headers=admin_headers
    )
    await pipeline.aggregator.tick()
    assert _kinds(events, "aggregator_flush_started") == []
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/thumb?force=true", json={"width": 200}, headers=admin_headers
    )
    assert response.status == 200
    await pipeline.aggregator.tick()
    [flush] = _kinds(events, "aggregator_flush_started")
    assert sorted(flush["packs"]) == sorted(f"demo/{p}" for p in packs)


@pytest.mark.parametrize(
    "aggregator_settings", [AggregatorSettings(ignore_location_config_changes=True)]
)
async def test_bug_switch_location_config_changes_invalidate_nothing(
    pipeline, origin_client, admin_headers, events
):
    await origin_client.put(
        "/adminAPI/imageLocationConfig/thumb", json={"width": 100}, headers=admin_headers
    )
    await _pack(origin_client, admin_headers)
    await origin_client.put(
        "/adminAPI/imageLocationConfig/thumb?force=true", json={"width": 200}, headers=admin_headers
    )
    await pipeline.aggregator.tick()
    assert _kinds(events, "aggregator_flush_started") == []
    assert _kinds(events, "location_config_change_ignored")


@pytest.mark.parametrize(
    "aggregator_settings", [AggregatorSettings(delete_s3_after_edge=True, s3_delete_gap=120)]
)
async def test_bug_switch_deletes_s3_variants_only_after_the_gap(
    pipeline, origin_client, admin_headers, storage, clock
):
    pack = await _pack(origin_client, admin_headers)
    await _upload(origin_client, admin_headers, pack)
    variant = await _variant(storage, "demo", pack)
    runner = asyncio.create_task(pipeline.aggregator.run())
    await asyncio.sleep(0)
    await clock.advance(300 + 60)
    assert await storage.get_object(storage.settings.variants_bucket, variant) is not None
    assert all(
        pop.purges for pop in pipeline.pops
    )  # the edge purged while S3 still had the old variant
    await clock.advance(60)
    assert await storage.get_object(storage.settings.variants_bucket, variant) is None
    runner.cancel()


@pytest.mark.parametrize("switch", [False, True])
async def test_a_write_during_a_flush_is_lost_only_under_the_switch(
    switch, storage, clock, events, origin_client, admin_headers, pipeline
):
    settings = replace(
        pipeline.aggregator.settings, flush_duration=20, drop_writes_during_flush=switch
    )
    aggregator = Aggregator(storage, clock, events, settings, pipeline.aggregator.invalidator)
    await aggregator.start()
    first, second = (
        await _pack(origin_client, admin_headers),
        await _pack(origin_client, admin_headers),
    )
    await _upload(origin_client, admin_headers, first)
    runner = asyncio.create_task(aggregator.run())
    await asyncio.sleep(0)
    await clock.advance(310)  # the flush of `first` started at 300 and runs until 320
    await _upload(origin_client, admin_headers, second)
    await clock.advance(300)  # past the next tick at 600
    flushed = [p for f in _kinds(events, "aggregator_flush_started") for p in f["packs"]]
    assert (f"demo/{second}" in flushed) is not switch
    runner.cancel()


async def test_restart_neither_loses_nor_repeats(
    pipeline, storage, clock, events, origin_client, admin_headers
):
    settings, invalidator = pipeline.aggregator.settings, pipeline.aggregator.invalidator
    pack = await _pack(origin_client, admin_headers)
    await _upload(origin_client, admin_headers, pack)
    await pipeline.aggregator.poll()  # queued and saved, not yet flushed
    restarted = Aggregator(storage, clock, events, settings, invalidator)
    await restarted.start()
    assert [e.pack for e in restarted.state.queue.values()] == [pack]
    await restarted.tick()
    again = Aggregator(storage, clock, events, settings, invalidator)
    await again.start()
    await again.tick()
    assert len(_kinds(events, "edge_invalidation_requested")) == 1


async def _fallback_changed_after_a_tick(pipeline, client, headers, packs: int) -> list[str]:  # type: ignore[no-untyped-def]
    """``cover`` falls back to ``thumb``, ``packs`` packs, a tick; then ``cover`` falls back
    to ``square`` (200 without force) and the next tick runs. The packs' ids."""

    async def cover_falls_back_to(fallback: str) -> None:
        body = {"width": 120, "height": 180, "fallback": fallback}
        response = await client.put(
            "/adminAPI/imageLocationConfig/cover", json=body, headers=headers
        )
        assert response.status == 200, await response.text()  # never needs force

    for name in ("thumb", "square"):
        await client.put(
            f"/adminAPI/imageLocationConfig/{name}", json={"width": 100}, headers=headers
        )
    await cover_falls_back_to("thumb")
    ids = [await _pack(client, headers) for _ in range(packs)]
    await pipeline.aggregator.tick()
    await cover_falls_back_to("square")
    await pipeline.aggregator.tick()
    return ids


async def test_a_fallback_change_invalidates_nothing_as_the_seeds_say(
    pipeline, origin_client, admin_headers, events
):
    await _fallback_changed_after_a_tick(pipeline, origin_client, admin_headers, packs=1)
    assert _kinds(events, "aggregator_flush_started") == []
    [seen] = _kinds(events, "fallback_change_not_invalidated")
    assert seen == {"tenant": "demo", "location": "cover", "old": "thumb", "new": "square"}


@pytest.mark.parametrize(
    "aggregator_settings", [AggregatorSettings(invalidate_on_fallback_change=True)]
)
async def test_with_the_fix_a_fallback_change_queues_every_pack_of_the_tenant(
    pipeline, origin_client, admin_headers, events
):
    packs = await _fallback_changed_after_a_tick(pipeline, origin_client, admin_headers, packs=3)
    [flush] = _kinds(events, "aggregator_flush_started")
    assert sorted(flush["packs"]) == sorted(f"demo/{p}" for p in packs)
    queued = [e for e in _kinds(events, "aggregator_queued") if e["pack"] in packs]
    assert {tuple(e["reasons"]) for e in queued} == {("fallback:cover",)}
    assert _kinds(events, "fallback_change_not_invalidated") == []
