"""The built-in Vimond behaviours in front of the real origin (real moto, real Pillow):
admin calls pass through uncached, images are cached with their parameters in the key."""

from __future__ import annotations

import io
from typing import Any

import aiohttp
from PIL import Image

from edge.config import PopSettings, ShieldSettings, vimond_behaviors
from tests.conftest import png_bytes
from tests.edge.conftest import MakeEdge


async def upload_pack(pop: str, http: aiohttp.ClientSession, admin_headers: dict[str, str]) -> str:
    """A pack with a 64×48 PNG at main, made through the POP (admin passes through)."""
    async with http.post(pop + "/adminAPI/imagePacks", headers=admin_headers) as resp:
        assert resp.status == 200, await resp.text()
        assert resp.headers["Cache-Status"].endswith("pop-1; fwd=bypass; fwd-status=200")
        pack: str = (await resp.json())["id"]
    form = aiohttp.FormData()
    form.add_field(
        "file", png_bytes((64, 48)), filename="a.png", content_type="application/octet-stream"
    )
    async with http.post(
        f"{pop}/adminAPI/imagePack/{pack}/main/upload", data=form, headers=admin_headers
    ) as resp:
        assert resp.status == 200, await resp.text()
    return pack


async def test_a_byte_range_and_if_modified_since_through_pops_and_shield(
    origin_client: Any,
    admin_headers: dict[str, str],
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
) -> None:
    """``curl -r 0-99`` and ``If-Modified-Since`` at a POP: 206 and 304, on a miss (the
    origin cuts the range) and on a hit (the POP cuts it)."""
    origin_url = str(origin_client.server.make_url("")).rstrip("/")
    pops = (PopSettings("pop-1"), PopSettings("pop-2"))
    edge = await make_edge(vimond_behaviors(origin_url, pops=pops, shield=ShieldSettings()))
    pack = await upload_pack(edge.pop_urls["pop-1"], http, admin_headers)
    first = f"{edge.pop_urls['pop-1']}/api/v2/img/{pack}?width=32&format=jpeg"
    async with http.get(first, headers={"Range": "bytes=0-99"}) as resp:
        assert resp.status == 206, await resp.text()
        head = await resp.read()
        size = int(resp.headers["Content-Range"].rpartition("/")[2])
        assert resp.headers["Content-Range"] == f"bytes 0-99/{size}"
        assert resp.headers["Cache-Status"].startswith("shield; fwd=uri-miss; fwd-status=206")
    async with http.get(first) as resp:  # completed from the stored part: one more request
        whole = await resp.read()
        assert resp.status == 200 and len(whole) == size and whole[:100] == head
        assert resp.headers.getall("Accept-Ranges") == ["bytes"]  # the origin's, replaced
        assert Image.open(io.BytesIO(whole)).size[0] == 32
        modified = resp.headers["Last-Modified"]
    second = f"{edge.pop_urls['pop-2']}/api/v2/img/{pack}?width=32&format=jpeg"
    async with http.get(second) as resp:
        assert await resp.read() == whole
    async with http.get(second, headers={"Range": "bytes=0-99"}) as resp:
        assert resp.status == 206 and await resp.read() == head
        assert resp.headers["X-Cache"] == "Hit from cdnsim"
    for url in (first, second):
        async with http.get(url, headers={"If-Modified-Since": modified}) as resp:
            assert resp.status == 304 and await resp.read() == b""
            assert resp.headers["X-Cache"] == "Hit from cdnsim"


async def test_images_are_cached_and_admin_passes_through(
    origin_client: Any,
    admin_headers: dict[str, str],
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
) -> None:
    origin_url = str(origin_client.server.make_url("")).rstrip("/")
    edge = await make_edge(vimond_behaviors(origin_url, pops=(PopSettings("pop-1"),)))
    pop = edge.pop_urls["pop-1"]
    pack = await upload_pack(pop, http, admin_headers)

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
