"""Every server the stack starts has the connection limits (common/serving.py): the
origin, each POP, the shield, the control app, the imgix renderer and API, and with
``--demo`` the Akamai policy APIs and renderer; and each worker process of `cdnsim origin`."""

from __future__ import annotations

import asyncio
import sys
from urllib.parse import urlsplit

import aiohttp

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from common.serving import ConnectionLimits
from origin.settings import OriginSettings
from origin.storage import StorageSettings

WAIT = 30.0  # a bound against hangs, never a measured time
QUICK = ConnectionLimits(header_timeout=0.2, keepalive_timeout=0.2)
VENDOR_URLS = ("api_url", "staging_api_url", "renderer_url")


async def _closed_without_a_word(url: str) -> bool:
    parts = urlsplit(url)
    reader, writer = await asyncio.open_connection(parts.hostname, parts.port)
    try:
        return await asyncio.wait_for(reader.read(), WAIT) == b""
    finally:
        writer.close()


async def test_every_server_of_the_stack_closes_connections_that_send_no_request(moto_server):  # type: ignore[no-untyped-def]
    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    settings = StackSettings(
        origin=OriginSettings(storage=storage, render_workers=1, id_seed=5),
        demo=True,
        seed=5,
        connections=QUICK,
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    try:
        ready = stack.ready()
        urls = [ready["origin"], ready["shield"], ready["control"]]
        urls += [pop["url"] for pop in ready["pops"]]
        for vendor in stack.vendors:  # each vendor's APIs and renderer
            urls += [getattr(vendor, name, "") for name in VENDOR_URLS]
        urls = [url for url in urls if url]
        assert {v.name for v in stack.vendors} == {"akamai", "imgix"}
        assert len(set(urls)) == 11
        closed = await asyncio.gather(*(_closed_without_a_word(url) for url in urls))
        assert all(closed), dict(zip(urls, closed, strict=True))
        async with aiohttp.ClientSession() as http:
            async with http.get(ready["pops"][0]["url"] + "/api/ping") as response:
                assert response.status == 200
            async with http.get(ready["control"] + "/_edge/pops/pop-1/stats") as response:
                connections = (await response.json())["connections"]
        assert connections["header_timeouts"] == 1
        assert connections["max"] == QUICK.max_connections
    finally:
        await stack.stop()


async def test_origin_worker_processes_apply_the_command_line_limits() -> None:
    command = [sys.executable, "-m", "cdnsim.cli", "origin", "--port", "0", "--workers", "2"]
    command += ["--render-workers", "1", "--header-timeout", "0.2", "--keepalive-timeout", "0.2"]
    process = await asyncio.create_subprocess_exec(*command, stdout=asyncio.subprocess.PIPE)
    try:
        assert process.stdout is not None
        line = (await asyncio.wait_for(process.stdout.readline(), 120)).decode()
        assert "2 workers" in line, line
        url = line.split("listening on ")[1].split()[0]
        # The kernel spreads these over both processes (SO_REUSEPORT); each closes its own.
        closed = await asyncio.gather(*(_closed_without_a_word(url) for _ in range(16)))
        assert all(closed)
        async with aiohttp.ClientSession() as http, http.get(url + "/api/ping") as response:
            assert response.status == 200
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 60) == 0
