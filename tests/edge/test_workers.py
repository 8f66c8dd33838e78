"""A POP as several worker processes on one port, sharing one diskcache directory."""

from __future__ import annotations

from pathlib import Path

import aiohttp

from common.clock import Clock
from edge.config import PopSettings
from edge.stack import Edge
from tests.edge.conftest import edge_settings
from tests.edge.origin_double import OriginDouble


async def test_workers_share_one_port_and_one_cache(origin: OriginDouble, tmp_path: Path) -> None:
    origin.reply("/w", headers={"Cache-Control": "max-age=3600"})
    origin.clock = Clock()  # worker processes need a real (or scaled) clock, the origin's Date too
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path))
    edge = Edge(edge_settings(origin.url, pops=(pop,)), clock=origin.clock)
    await edge.start()
    try:
        assert len(edge.pools["pop-1"].pids) == 2
        # A fresh connection per request, so that the kernel spreads them over the workers.
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            for _ in range(16):
                async with http.get(edge.pop_urls["pop-1"] + "/w") as resp:
                    assert await resp.read() == b"body#1", resp.headers.get("Cache-Status")
            assert origin.count("/w") == 1
            # Purged once on disk and in every worker's memory layer.
            assert await edge.purge_targets["pop-1"].purge(["/w"]) == 1
            for _ in range(16):
                async with http.get(edge.pop_urls["pop-1"] + "/w") as resp:
                    assert await resp.read() == b"body#2"
            assert origin.count("/w") == 2
            async with http.get(edge.control_url + "/_edge/pops/pop-1/stats") as resp:
                assert (await resp.json())["workers"] == 2
    finally:
        await edge.stop()


async def test_workers_without_a_cache_dir_share_a_temporary_one(origin: OriginDouble) -> None:
    origin.reply("/t", headers={"Cache-Control": "max-age=3600"})
    origin.clock = Clock()
    pop = PopSettings("pop-1", workers=2)  # no cache_dir: the edge makes one for its workers
    edge = Edge(edge_settings(origin.url, pops=(pop,)), clock=origin.clock)
    await edge.start()
    try:
        connector = aiohttp.TCPConnector(force_close=True)
        async with aiohttp.ClientSession(connector=connector) as http:
            for _ in range(8):
                async with http.get(edge.pop_urls["pop-1"] + "/t") as resp:
                    assert await resp.read() == b"body#1"
        cache_dir = edge.pools["pop-1"].cache_dir
        assert cache_dir is not None and Path(cache_dir).is_dir()
    finally:
        await edge.stop()
    assert not Path(cache_dir).exists()  # removed with the edge
    assert origin.count("/t") == 1


async def test_workers_refuse_a_manual_clock(origin: OriginDouble, tmp_path: Path) -> None:
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path))
    edge = Edge(edge_settings(origin.url, pops=(pop,)), clock=Clock.manual())
    try:
        await edge.start()
        raise AssertionError("a manual clock cannot be shared by worker processes")
    except ValueError as exc:
        assert "manual clock" in str(exc)
    finally:
        await edge.stop()


async def test_ranges_and_conditionals_from_every_worker(
    origin: OriginDouble, tmp_path: Path
) -> None:
    """A stored part (through the disk codec) and the whole, cut by whichever worker takes
    the connection; If-Modified-Since answered by each."""
    body = bytes(range(256)) * 64  # 16 KiB, then "#n"
    origin.reply(
        "/r", body=body, headers={"Cache-Control": "max-age=3600"}, etag='"v1"', ranges=True
    )
    origin.clock = Clock()
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path))
    edge = Edge(edge_settings(origin.url, profile="rfc9111", pops=(pop,)), clock=origin.clock)
    await edge.start()
    url = edge.pop_urls["pop-1"] + "/r"
    try:
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(force_close=True)) as http:
            async with http.get(url, headers={"Range": "bytes=1000-1999"}) as resp:
                assert resp.status == 206 and await resp.read() == body[1000:2000]
            for _ in range(8):
                async with http.get(url, headers={"Range": "bytes=1500-1599"}) as resp:
                    assert resp.status == 206 and await resp.read() == body[1500:1600]
            assert origin.count("/r") == 1  # every worker answered from the stored part
            async with http.get(url) as resp:
                whole = await resp.read()
                assert resp.status == 200 and whole == body + b"#2"
                modified = resp.headers["Date"]
            for _ in range(8):
                async with http.get(url, headers={"Range": "bytes=-2, 0-1"}) as resp:
                    assert resp.status == 206
                    assert resp.headers["Content-Type"].startswith("multipart/byteranges")
                async with http.get(url, headers={"If-Modified-Since": modified}) as resp:
                    assert resp.status == 304
            assert origin.count("/r") == 2
    finally:
        await edge.stop()
