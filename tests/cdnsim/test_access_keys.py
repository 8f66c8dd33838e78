"""A tenant's access key guards every route that serves its image bytes, through the edge
too: a cached object is never served to a request that the origin would refuse.

The tenant ``demo`` requires ``X-vimond-access-key: K``. Images over the response limit
answer 302 to ``/api/v2/variants/{key}`` (here the limit is small, so a noisy 400×300
image is "large"). Each route is tried through a POP and the shield, after a hit, from a
second POP, with the key, without it and with a wrong one; and behind an edge that knows
nothing of Vimond (its key is the path only), which must learn it from the origin's Vary.
"""

from __future__ import annotations

import io
import random
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from PIL import Image

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from edge.config import generic_settings
from edge.stack import Edge
from origin.settings import OriginSettings, TenantSettings
from origin.storage import StorageSettings

KEY = "K-0123456789"
WITH_KEY = {"X-vimond-access-key": KEY}
WRONG_KEY = {"X-vimond-access-key": "not-" + KEY}
LIMIT = 4000  # response limit in bytes: the noisy "big" location is over it, "small" is not


@dataclass
class Keyed:
    stack: Stack
    http: aiohttp.ClientSession
    pack: str

    def pop(self, pop_id: str) -> str:
        assert self.stack.edge is not None
        return self.stack.edge.pop_urls[pop_id]

    async def get(self, url: str, headers: dict[str, str] | None = None) -> aiohttp.ClientResponse:
        async with self.http.get(url, headers=headers or {}, allow_redirects=False) as response:
            await response.read()
            return response


def _noise(size: tuple[int, int]) -> bytes:
    rng = random.Random(7)
    image = Image.frombytes(
        "RGB", size, bytes(rng.getrandbits(8) for _ in range(size[0] * size[1] * 3))
    )
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


@pytest.fixture
async def keyed(moto_server) -> AsyncIterator[Keyed]:  # type: ignore[no-untyped-def]
    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    origin = OriginSettings(
        storage=storage,
        render_workers=1,
        id_seed=5,
        tenants=(TenantSettings("demo", access_key=KEY),),
        response_limit_bytes=LIMIT,
    )
    stack = Stack(StackSettings(origin=origin, seed=5), Clock.manual())
    await stack.start()
    admin = {"Authorization": f"Bearer {stack.admin_token}"}
    async with aiohttp.ClientSession() as http:
        base = stack.origin_url + "/adminAPI"
        for name, box in (("big", (400, 300)), ("small", (16, 12))):
            body = {"width": box[0], "height": box[1]}
            async with http.put(
                f"{base}/imageLocationConfig/{name}", json=body, headers=admin
            ) as r:
                assert r.status == 200, await r.text()
        async with http.post(f"{base}/imagePacks", json={}, headers=admin) as r:
            pack = (await r.json())["id"]
        form = aiohttp.FormData()
        form.add_field("file", _noise((400, 300)), filename="n.png", content_type="image/png")
        async with http.post(f"{base}/imagePack/{pack}/main/upload", data=form, headers=admin) as r:
            assert r.status == 200, await r.text()
        yield Keyed(stack, http, pack)
    await stack.stop()


async def test_a_large_variant_behind_its_redirect_needs_the_key_at_every_pop(keyed: Keyed):
    image = f"/api/v2/img/{keyed.pack}?location=big"
    refused = await keyed.get(keyed.pop("pop-1") + image)
    assert refused.status == 403
    redirect = await keyed.get(keyed.pop("pop-1") + image, WITH_KEY)
    assert redirect.status == 302
    variant = redirect.headers["Location"]
    assert variant.startswith("/api/v2/variants/demo/")
    first = await keyed.get(keyed.pop("pop-1") + variant, WITH_KEY)
    assert first.status == 200 and first.content_type == "image/png"
    hit = await keyed.get(keyed.pop("pop-1") + variant, WITH_KEY)
    assert hit.status == 200 and hit.headers["X-Cache"].startswith("Hit")
    # The same URL without the key, or with a wrong one: refused, at this POP (after a
    # hit) and at another one (whose shield holds the object).
    for pop_id in ("pop-1", "pop-2", "pop-3"):
        for headers in ({}, WRONG_KEY):
            answer = await keyed.get(keyed.pop(pop_id) + variant, headers)
            assert answer.status == 403, (pop_id, headers, answer.headers.get("Cache-Status"))
    second_pop = await keyed.get(keyed.pop("pop-2") + variant, WITH_KEY)
    assert second_pop.status == 200
    assert second_pop.headers["Cache-Status"].startswith("shield; hit")


async def test_an_image_answered_inline_needs_the_key_after_a_hit_and_at_another_pop(
    keyed: Keyed,
):
    image = f"/api/v2/img/{keyed.pack}?location=small"
    assert (await keyed.get(keyed.pop("pop-1") + image, WITH_KEY)).status == 200
    hit = await keyed.get(keyed.pop("pop-1") + image, WITH_KEY)
    assert hit.headers["X-Cache"].startswith("Hit")
    for pop_id in ("pop-1", "pop-2"):
        for headers in ({}, WRONG_KEY):
            assert (await keyed.get(keyed.pop(pop_id) + image, headers)).status == 403


async def test_an_edge_that_keys_by_path_only_learns_the_key_from_the_origins_vary(
    keyed: Keyed,
):
    """`cdnsim edge --origin URL` knows nothing of Vimond: its key is the path and query.
    The origin says that a keyed tenant's answers vary on the key header."""
    edge = Edge(generic_settings(keyed.stack.origin_url, 0, "cloudfront"), clock=keyed.stack.clock)
    await edge.start()
    try:
        pop = edge.pop_urls["pop-1"]
        redirect = await keyed.get(pop + f"/api/v2/img/{keyed.pack}?location=big", WITH_KEY)
        assert redirect.status == 302
        assert "x-vimond-access-key" in redirect.headers["Vary"].lower()
        for path in (redirect.headers["Location"], f"/api/v2/img/{keyed.pack}?location=small"):
            assert (await keyed.get(pop + path, WITH_KEY)).status == 200
            assert (await keyed.get(pop + path, WITH_KEY)).headers["X-Cache"].startswith("Hit")
            for headers in ({}, WRONG_KEY):
                answer = await keyed.get(pop + path, headers)
                assert answer.status == 403, (path, headers, answer.headers.get("Cache-Status"))
            # And the refusal cached for keyless requests is not served to the key holder.
            assert (await keyed.get(pop + path, WITH_KEY)).status == 200
    finally:
        await edge.stop()
