"""The built-in Vimond behaviours in front of the real origin (real moto, real Pillow):
admin calls pass through uncached, images are cached with their parameters in the key."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
from PIL import Image

from edge.config import PopSettings, vimond_behaviors
from tests.conftest import png_bytes
from tests.edge.conftest import MakeEdge


async def test_images_are_cached_and_admin_passes_through(
    origin_client: Any,
    admin_headers: dict[str, str],
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
) -> None:
    origin_url = str(origin_client.server.make_url("")).rstrip("/")
    edge = await make_edge(vimond_behaviors(origin_url, pops=(PopSettings("pop-1"),)))
    pop = edge.pop_urls["pop-1"]
    async with http.post(pop + "/adminAPI/imagePacks", headers=admin_headers) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Cache-Status"] == "pop-1; fwd=bypass; fwd-status=200"
        pack = (await resp.json())["id"]
    form = aiohttp.FormData()
    form.add_field(
        "file", png_bytes((64, 48)), filename="a.png", content_type="application/octet-stream"
    )
    async with http.post(
        f"{pop}/adminAPI/imagePack/{pack}/main/upload", data=form, headers=admin_headers
    ) as resp:
        assert resp.status == 200, await resp.text()

    url = f"{pop}/api/v2/img/{pack}?width=32"
    x_cache = []
    for _ in range(2):
        async with http.get(url) as resp:
            assert resp.status == 200, await resp.text()
            x_cache.append(resp.headers["X-Cache"])
            image = Image.open(io.BytesIO(await resp.read()))
            assert image.size[0] == 32
    assert x_cache == ["Miss from cdnsim", "Hit from cdnsim"]
    async with http.get(f"{pop}/api/v2/img/{pack}?width=16") as resp:
        assert resp.headers["X-Cache"] == "Miss from cdnsim"  # another parameter, another entry
        assert Image.open(io.BytesIO(await resp.read())).size[0] == 16
