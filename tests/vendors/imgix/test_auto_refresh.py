"""imgix's origin cache and automatic refresh (seed 004: "the automated refresh process
imgix uses (which can take 24-48 hours)"): a replaced origin image is served stale, new
derivatives included, until its refresh or a purge; on the manual clock, seeded."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from common.clock import Clock
from common.events import EventLog
from tests.vendors.imgix.conftest import ADMIN, Folder, Stack, decoded, image_bytes, start_stack
from vendors.imgix.buckets import Original
from vendors.imgix.masters import DAY, Masters

RED, BLUE = (200, 30, 30), (30, 30, 200)


def colour(body: bytes) -> tuple[int, ...]:
    return tuple(decoded(body).convert("RGB").getpixel((2, 2)))


def close(a: tuple[int, ...], b: tuple[int, ...]) -> bool:
    return all(abs(x - y) < 40 for x, y in zip(a, b, strict=True))


async def purge(stack: Stack, url: str) -> None:
    body = {"data": {"type": "purges", "attributes": {"url": url}}}
    status, doc = await stack.call("POST", "/api/v1/purge", ADMIN, body)
    assert status == 200, doc


async def colours_at_every_pop(stack: Stack, path: str) -> list[tuple[int, ...]]:
    out = []
    for pop in (1, 2, 3):
        status, body, _ = await stack.get(path, pop=pop)
        assert status == 200
        out.append(colour(body))
    return out


# -- the origin cache, pure ----------------------------------------------------------
def original(size: int = 10) -> Original:
    return Original(200, b"x" * size)


def test_refresh_times_are_one_to_two_days_after_the_fetch_and_seeded() -> None:
    masters = Masters(seed=7)
    times = [masters.refresh_time("src", f"/{n}.png", 1000.0) for n in range(50)]
    assert all(t is not None and 1000 + DAY <= t <= 1000 + 2 * DAY for t in times)
    assert len(set(times)) == 50  # spread over the window
    assert times == [Masters(seed=7).refresh_time("src", f"/{n}.png", 1000.0) for n in range(50)]
    assert times != [Masters(seed=8).refresh_time("src", f"/{n}.png", 1000.0) for n in range(50)]
    assert Masters(refresh_seconds=0).refresh_time("src", "/a.png", 0.0) is None
    assert Masters(seed=None).refresh_time("src", "/a.png", 0.0) is not None


def test_masters_expire_with_their_derivatives_and_are_evicted_by_size() -> None:
    masters = Masters(seed=1, max_bytes=25)
    masters.put("s", "/a.png", "/a.png", original(10), '"a"', 0.0, keep_for=100)
    masters.put("s", "/b.png", "/b.png", original(10), '"b"', 0.0, keep_for=100)
    assert masters.get("s", "/a.png", 50.0) is not None  # a is now the most recent
    masters.put("s", "/c.png", "/c.png", original(10), '"c"', 0.0, keep_for=100)
    assert masters.get("s", "/b.png", 50.0) is None and masters.bytes == 20
    assert masters.get("s", "/a.png", 100.0) is None  # its derivatives' lifetime is over
    assert masters.put("s", "/n.png", "/n.png", original(10), '"n"', 0.0, keep_for=0) is None
    assert masters.put("s", "/big.png", "/big.png", original(26), '"x"', 0.0, 100) is None


def test_due_masters_come_soonest_first() -> None:
    masters = Masters(seed=3, refresh_seconds=100, jitter_seconds=50)
    for name in ("a", "b", "c"):
        masters.put("s", f"/{name}.png", f"/{name}.png", original(), name, 0.0, keep_for=1e9)
    assert masters.due(99.0) == []
    due = masters.due(150.0)
    assert len(due) == 3 and [m.refresh_at for m in due] == sorted(m.refresh_at for m in due)
    assert masters.next_refresh() == due[0].refresh_at


# -- on the edge ---------------------------------------------------------------------
@pytest.fixture
async def replaced(stack: Stack) -> AsyncIterator[Stack]:
    """A red image every POP has (and a second derivative the shield has), then replaced
    at the origin by a blue one."""
    stack.folder.put("/images/pic.png", image_bytes((80, 80), RED))
    await stack.create_source()
    assert all(close(c, RED) for c in await colours_at_every_pop(stack, "/pic.png?w=40"))
    stack.folder.put("/images/pic.png", image_bytes((80, 80), BLUE))
    yield stack


async def test_a_replaced_origin_image_is_stale_until_the_automatic_refresh(
    replaced: Stack,
) -> None:
    stack = replaced
    [source_id] = stack.service.backend.sources.by_id
    master = stack.service.backend.masters.get(source_id, "/pic.png", stack.clock.now())
    assert master is not None and master.refresh_at is not None
    wait = master.refresh_at - stack.clock.now()
    assert DAY - 60 <= wait <= 2 * DAY
    await stack.clock.advance(wait - 1)
    assert all(close(c, RED) for c in await colours_at_every_pop(stack, "/pic.png?w=40"))
    # a derivative never rendered before starts from the same (old) master
    _, body, _ = await stack.get("/pic.png?w=30", pop=2)
    assert close(colour(body), RED)
    since = stack.events.last_seq
    await stack.clock.advance(1 + 150)  # the refresh, then every POP's invalidation delay
    refreshed = stack.events.read(since=since, kinds=["asset_refreshed"])
    assert [(e.data["path"], e.data["outcome"]) for e in refreshed] == [("/pic.png", "changed")]
    assert refreshed[0].time == master.refresh_at
    assert all(close(c, BLUE) for c in await colours_at_every_pop(stack, "/pic.png?w=40"))
    _, body, _ = await stack.get("/pic.png?w=30", pop=2)
    assert close(colour(body), BLUE)


async def test_a_purge_serves_the_new_image_before_the_refresh(replaced: Stack) -> None:
    stack = replaced
    await purge(stack, "https://demo.imgix.net/pic.png")
    await stack.clock.advance(150)  # every POP's invalidation delay
    assert all(close(c, BLUE) for c in await colours_at_every_pop(stack, "/pic.png?w=40"))
    assert stack.folder.counts["/images/pic.png"] == 2  # fetched again once, for everyone


async def test_an_unchanged_image_is_looked_at_again_without_a_purge(stack: Stack) -> None:
    stack.folder.put("/images/pic.png", image_bytes((80, 80), RED))
    await stack.create_source()
    await stack.get("/pic.png")
    since = stack.events.last_seq
    await stack.clock.advance(2 * DAY)
    looks = stack.events.read(since=since, kinds=["asset_refreshed"])
    assert [e.data["outcome"] for e in looks] == ["unchanged"]
    assert stack.events.read(since=since, kinds=["invalidation_created"]) == []
    assert stack.folder.counts["/images/pic.png"] == 2
    await stack.clock.advance(2 * DAY)  # and again, one refresh later
    assert len(stack.events.read(since=since, kinds=["asset_refreshed"])) == 2


async def test_an_image_gone_from_the_origin_is_noticed_and_purged(replaced: Stack) -> None:
    stack = replaced
    del stack.folder.files["/images/pic.png"]
    await stack.clock.advance(2 * DAY + 150)
    status, _, _ = await stack.get("/pic.png?w=40", pop=3)
    assert status == 404
    looks = stack.events.read(kinds=["asset_refreshed"])
    assert [e.data["outcome"] for e in looks] == ["gone"]


async def test_a_short_cache_ttl_refetches_the_master_when_derivatives_expire(
    stack: Stack,
) -> None:
    stack.folder.put("/images/pic.png", image_bytes((80, 80), RED), Cache_Control="max-age=100")
    await stack.create_source()
    _, body, _ = await stack.get("/pic.png")
    stack.folder.put("/images/pic.png", image_bytes((80, 80), BLUE), Cache_Control="max-age=100")
    await stack.clock.advance(101)
    _, body, _ = await stack.get("/pic.png")
    assert close(colour(body), BLUE)


@pytest.fixture
async def never_refreshing(
    clock: Clock, events: EventLog, folder: Folder, moto_server: Any
) -> AsyncIterator[Stack]:
    moto_server.reset()
    service, edge = await start_stack(clock, events, folder, moto_server.url, refresh_seconds=0)
    async with aiohttp.ClientSession() as http:
        yield Stack(service, edge, clock, events, http, folder)
    await edge.stop()


async def test_with_refresh_off_only_a_purge_brings_the_new_image(
    never_refreshing: Stack,
) -> None:
    stack = never_refreshing
    stack.folder.put("/images/pic.png", image_bytes((80, 80), RED))
    await stack.create_source()
    await stack.get("/pic.png")
    stack.folder.put("/images/pic.png", image_bytes((80, 80), BLUE))
    await stack.clock.advance(7 * DAY)
    _, body, _ = await stack.get("/pic.png?w=20")  # a new derivative: still the old master
    assert close(colour(body), RED)
    assert stack.events.read(kinds=["asset_refreshed"]) == []
    await purge(stack, "https://demo.imgix.net/pic.png")
    await stack.clock.advance(150)
    _, body, _ = await stack.get("/pic.png?w=20")
    assert close(colour(body), BLUE)
