"""``cdnsim edge --vendor akamai --vendor imgix`` as a real process with two worker
processes, in front of a real image origin: both vendors' delivery paths are served by
every worker, and a source created through the imgix API reaches every worker at once."""

from __future__ import annotations

import asyncio
import io
import json
import sys
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image


def _jpeg(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (30, 120, 200)).save(out, "JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
async def image_origin(aiohttp_server: Any) -> str:
    photo = _jpeg((1200, 800))

    async def serve(request: web.Request) -> web.Response:
        if request.path != "/photos/a.jpg":
            return web.Response(status=404)
        return web.Response(body=photo, content_type="image/jpeg")

    app = web.Application()
    app.router.add_get("/{tail:.*}", serve)
    server = await aiohttp_server(app)
    return str(server.make_url("")).rstrip("/")


@pytest.fixture
async def edge(image_origin: str, tmp_path: Path) -> AsyncIterator[dict[str, Any]]:
    process = await asyncio.create_subprocess_exec(
        *[sys.executable, "-m", "cdnsim.cli", "edge", "--origin", image_origin, "--port", "0"],
        *["--workers", "2", "--cache-dir", str(tmp_path / "cache")],
        *["--vendor", "akamai", "--vendor", "imgix", "--imgix-deploy-seconds", "0"],
        stdout=asyncio.subprocess.PIPE,
    )
    try:
        assert process.stdout is not None
        yield json.loads(await asyncio.wait_for(process.stdout.readline(), 120))
    finally:
        process.terminate()
        assert await asyncio.wait_for(process.wait(), 30) == 0


async def _widths_by_worker(url: str, **headers: str) -> dict[str, set[int]]:
    """The width of the image each worker answered with, over fresh connections, until
    both workers of the POP have answered."""
    seen: dict[str, set[int]] = {}
    connector = aiohttp.TCPConnector(force_close=True)  # the kernel spreads connections
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(200):
            async with http.get(url, headers={"X-Cdnsim-Debug": "1", **headers}) as response:
                assert response.status == 200, await response.text()
                width = Image.open(io.BytesIO(await response.read())).size[0]
                seen.setdefault(response.headers["X-Edge-Worker"], set()).add(width)
            if len(seen) == 2:
                break
    return seen


async def test_both_vendors_are_served_by_every_worker_of_a_pop(
    edge: dict[str, Any], image_origin: str
) -> None:
    akamai, imgix = edge["akamai"], edge["imgix"]
    url = f"{akamai['delivery']}/photos/a.jpg?imwidth=300&imformat=generic"
    assert await _widths_by_worker(url) == {"1": {320}, "2": {320}}  # the next breakpoint

    source = {
        "data": {
            "type": "sources",
            "attributes": {
                "name": "photos",
                "deployment": {
                    "type": "webfolder",
                    "webfolder_base_url": image_origin + "/photos/",
                    "imgix_subdomains": ["photos"],
                },
            },
        }
    }
    headers = {
        "Authorization": f"Bearer {imgix['api_key']}",
        "Content-Type": "application/vnd.api+json",
    }
    async with (
        aiohttp.ClientSession() as http,
        http.post(f"{imgix['api']}/api/v1/sources", json=source, headers=headers) as response,
    ):
        assert response.status == 201, await response.text()
    pop = edge["pops"][0]["url"]
    assert await _widths_by_worker(f"{pop}/imgix/photos/a.jpg?w=100") == {"1": {100}, "2": {100}}
