"""A demo stack's own seeding is not a change: its first tick invalidates nothing, while a
write made after start-up (or after a reset) is invalidated at the next tick as ever."""

from __future__ import annotations

from collections.abc import AsyncIterator

import aiohttp
import pytest

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from origin.storage import EmbeddedMoto, StorageSettings

TICK = 300.0


@pytest.fixture
async def demo_stack(moto_server: EmbeddedMoto) -> AsyncIterator[Stack]:
    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    settings = StackSettings(
        origin=OriginSettings(storage=storage, render_workers=1), demo=True, seed=3
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    yield stack
    await stack.stop()


def kinds(stack: Stack, *names: str) -> list[str]:
    return [e.kind for e in stack.events.read(kinds=names)]


async def relabel_a_pack(stack: Stack) -> str:
    """One write an aggregator must act on: a pack's main location changes."""
    headers = {"Authorization": f"Bearer {stack.admin_token}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        async with http.get(f"{stack.origin_url}/adminAPI/imagePacks") as response:
            pack = (await response.json())["imagePackIds"][0]
        body = {"mainImageLocation": "portal-cover"}
        async with http.put(f"{stack.origin_url}/adminAPI/imagePack/{pack}", json=body) as r:
            assert r.status == 200, await r.text()
    return str(pack)


async def test_the_first_tick_after_up_demo_invalidates_nothing(demo_stack: Stack) -> None:
    assert demo_stack.aggregator is not None
    assert demo_stack.aggregator.status()["queue"] == []
    await demo_stack.clock.advance(TICK)
    assert kinds(demo_stack, "aggregator_tick") == ["aggregator_tick"]
    assert not kinds(demo_stack, "aggregator_queued", "invalidation_created", "variants_deleted")
    (skipped,) = demo_stack.events.read(kinds=["stream_records_skipped"])
    assert skipped.data["count"] > 0 and skipped.data["reason"] == "seeding"


async def test_a_write_after_start_up_is_still_invalidated_at_the_next_tick(
    demo_stack: Stack,
) -> None:
    pack = await relabel_a_pack(demo_stack)
    await demo_stack.clock.advance(TICK)
    (created,) = demo_stack.events.read(kinds=["invalidation_created"])
    assert created.data["paths"] == [f"/api/v2/img/{pack}*"]


async def test_after_a_reset_the_vendors_reseeding_is_skipped_and_new_writes_invalidated() -> None:
    # Embedded storage: a reset needs it.
    settings = StackSettings(
        origin=OriginSettings(render_workers=1), pops=1, shield=False, demo=True, seed=3
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    try:
        await stack.reset()
        since = stack.events.last_seq
        await stack.clock.advance(TICK)
        assert not [e for e in stack.events.read(since) if e.kind == "invalidation_created"]
        # Skipped once after the seeding at start-up, once after the reset's.
        assert len(stack.events.read(kinds=["stream_records_skipped"])) == 2
        # The demo's packs are gone with the reset: a new pack and a change to it.
        headers = {"Authorization": f"Bearer {stack.admin_token}"}
        async with aiohttp.ClientSession(headers=headers) as http:
            async with http.post(f"{stack.origin_url}/adminAPI/imagePacks", json={}) as r:
                pack = (await r.json())["id"]
            body = {"mainImageLocation": "other"}
            async with http.put(f"{stack.origin_url}/adminAPI/imagePack/{pack}", json=body) as r:
                assert r.status == 200, await r.text()
        await stack.clock.advance(TICK)
        (created,) = stack.events.read(since, kinds=["invalidation_created"])
        assert created.data["paths"] == [f"/api/v2/img/{pack}*"]
    finally:
        await stack.stop()
