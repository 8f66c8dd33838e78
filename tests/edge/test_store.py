"""The stores: the disk store survives reopening and both evict to their size limit."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from edge.config import PopSettings
from edge.rules.decision import Freshness
from edge.rules.freshness import AgeInputs
from edge.store import DiskStore, Entry, MemoryStore, Store, VaryMarker
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get


def entry(key: str, size: int = 100) -> Entry:
    freshness = Freshness(AgeInputs(0.0, 0.0, 0.0, 0), 60.0)
    return Entry(key, key, 200, (("Content-Type", "image/png"),), b"x" * size, freshness, 0.0)


async def test_disk_store_keeps_entries_across_reopening(tmp_path: Path) -> None:
    store = DiskStore(tmp_path)
    await store.put("/a", entry("/a"))
    await store.put("/v", VaryMarker(("accept",), "/v"))
    await store.close()
    reopened = DiskStore(tmp_path)
    assert await reopened.get("/a") == entry("/a")
    assert await reopened.get("/v") == VaryMarker(("accept",), "/v")
    assert [k async for k in reopened.stored_keys()] == ["/a", "/v"]
    await reopened.close()


async def _fill(store: Store, count: int, size: int) -> None:
    for i in range(count):
        await store.put(f"/k{i}", entry(f"/k{i}", size))


async def test_disk_store_evicts_oldest_entries_beyond_its_size_limit(tmp_path: Path) -> None:
    store = DiskStore(tmp_path, size_limit=1_000_000)
    await _fill(store, 100, 40_000)  # 4 MB into a 1 MB cache
    assert await store.get("/k0") is None
    assert await store.get("/k99") == entry("/k99", 40_000)
    assert await store.volume() < 1_500_000
    await store.close()


async def test_memory_store_evicts_oldest_entries_beyond_its_size_limit() -> None:
    store = MemoryStore(size_limit=100_000)
    await _fill(store, 10, 20_000)
    kept = [k async for k in store.stored_keys()]
    assert kept == ["/k6", "/k7", "/k8", "/k9"]
    assert await store.volume() <= 100_000


async def test_a_pop_restarted_on_its_directory_keeps_its_cache(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, tmp_path: Path
) -> None:
    origin.reply("/d", headers={"Cache-Control": "max-age=600"})
    settings = edge_settings(origin.url, pops=(PopSettings("pop-1", cache_dir=str(tmp_path)),))
    first = await make_edge(settings)
    await get(http, first.pop_urls["pop-1"] + "/d")
    await first.stop()
    second = await make_edge(settings)
    _, body, headers = await get(http, second.pop_urls["pop-1"] + "/d")
    assert body == b"body#1" and headers["X-Cache"] == "Hit from cdnsim"
    assert origin.count("/d") == 1


def test_codec_round_trips_entries_and_markers() -> None:
    from edge.store.codec import decode, encode

    original = entry("/a?x=1", 1000)
    assert decode(encode(original)) == original
    assert decode(encode(VaryMarker(("accept",), "/a"))) == VaryMarker(("accept",), "/a")


def test_codec_treats_unreadable_bytes_as_a_miss() -> None:
    from edge.store.codec import decode

    assert decode(b"garbage") is None
    assert decode(b"") is None


async def test_memory_layer_serves_fresh_entries_and_rereads_stale_ones(tmp_path: Path) -> None:
    from common.clock import Clock
    from edge.store.front import FrontedStore

    clock = Clock.manual(0.0)
    disk = DiskStore(tmp_path)
    fronted = FrontedStore(disk, clock, 1_000_000)
    await fronted.put("/a", entry("/a", 10))  # fresh for 60 s from time 0
    await disk.put("/a", entry("/a", 20))  # another worker refreshes the disk copy
    assert await fronted.get("/a") == entry("/a", 10)  # still fresh: from memory
    await clock.advance(61)
    assert await fronted.get("/a") == entry("/a", 20)  # stale: read again from disk
    assert await fronted.drop_matching(lambda uri: uri.startswith("/a")) == 1
    await disk.delete("/a")
    assert await fronted.get("/a") is None
    await fronted.close()


def test_codec_round_trips_a_stored_part() -> None:
    from dataclasses import replace

    from edge.rules.partial import Partial
    from edge.store.codec import decode, encode

    part = replace(entry("/p", 10), status=206, partial=Partial(((0, 4), (10, 14)), 100))
    assert decode(encode(part)) == part


async def test_every_store_deletes_every_key_of_a_uri(tmp_path: Path) -> None:  # RFC 9111 §4.4
    from common.clock import Clock
    from edge.store.front import FrontedStore

    fronted = FrontedStore(DiskStore(tmp_path / "d"), Clock.manual(0.0), 1_000_000)
    for store in (MemoryStore(), DiskStore(tmp_path / "disk"), fronted):
        await store.put("/u", VaryMarker(("accept",), "/u"))
        await store.put("/u\nv:accept=a", entry("/u"))
        await store.put("/u\nh:x-tenant=b", entry("/u"))
        await store.put("/other", entry("/other"))
        assert await store.delete_uri("/u") == 3
        assert [k async for k in store.stored_keys()] == ["/other"]
        assert await store.get("/u\nv:accept=a") is None
        await store.close()
