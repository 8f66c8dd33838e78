"""``cdnsim edge`` in generic mode, as a real process in front of a real origin."""

from __future__ import annotations

import asyncio
import json
import sys
from pathlib import Path
from urllib.parse import urlsplit

import aiohttp

from common.clock import Clock
from tests.edge.origin_double import OriginDouble


async def test_generic_mode_runs_one_pop_in_front_of_any_origin(origin: OriginDouble) -> None:
    origin.clock = Clock()  # the edge process runs on real time; so must the origin's Date
    origin.reply("/thing", headers={"Cache-Control": "max-age=300"})
    process = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        "cdnsim.cli",
        "edge",
        "--origin",
        origin.url,
        "--port",
        "0",
        "--profile",
        "rfc9111",
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), 60))
        url = ready["pops"][0]["url"] + "/thing"
        async with aiohttp.ClientSession() as http:
            for expected in ("Miss from cdnsim", "Hit from cdnsim"):
                async with http.get(url) as resp:
                    assert await resp.read() == b"body#1"
                    assert resp.headers["X-Cache"] == expected
            async with http.get(ready["control"] + "/_edge/pops/pop-1/stats") as resp:
                assert (await resp.json())["hits"] == 1
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 30) == 0


async def _closed_without_a_word(url: str) -> bool:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        return await asyncio.wait_for(reader.read(), 30) == b""
    finally:
        writer.close()


async def test_edge_worker_processes_apply_the_command_line_limits(
    origin: OriginDouble, tmp_path: Path
) -> None:
    origin.clock = Clock()
    origin.reply("/thing", headers={"Cache-Control": "max-age=300"})
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "cdnsim.cli", "edge", "--origin", origin.url, "--port", "0",
        "--workers", "2", "--cache-dir", str(tmp_path), "--header-timeout", "0.2",
        "--keepalive-timeout", "0.2",
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        ready = json.loads(await asyncio.wait_for(process.stdout.readline(), 60))
        assert len(ready["workers"]["pop-1"]) == 1
        pop = ready["pops"][0]["url"]
        # The kernel spreads these over both processes (SO_REUSEPORT); each closes its own.
        closed = await asyncio.gather(*(_closed_without_a_word(pop) for _ in range(16)))
        assert all(closed)
        async with aiohttp.ClientSession() as http, http.get(pop + "/thing") as response:
            assert response.status == 200
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 30) == 0
