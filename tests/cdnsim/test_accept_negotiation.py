"""Format negotiation on Accept through the edge: right when Accept is in the key and the
origin says Vary; the production bug under --bug-accept-not-in-key (one browser's format
cached for every browser)."""

from __future__ import annotations

import io
from dataclasses import replace

import aiohttp
import pytest
from PIL import Image

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from origin.storage import StorageSettings

CHROME = "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"
OLD_BROWSER = "image/jpeg,image/png,*/*;q=0.5"


async def _formats_seen(moto_server, **origin_overrides) -> tuple[str, str, str]:  # type: ignore[no-untyped-def]
    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    origin = replace(
        OriginSettings(storage=storage, render_workers=1, id_seed=8), **origin_overrides
    )
    stack = Stack(StackSettings(origin=origin, pops=1, shield=False, seed=8), Clock.manual())
    await stack.start()
    try:
        async with aiohttp.ClientSession() as http:
            auth = {"Authorization": f"Bearer {stack.admin_token}"}
            async with http.post(
                f"{stack.origin_url}/adminAPI/imagePacks", json={}, headers=auth
            ) as response:
                pack = (await response.json())["id"]
            jpeg = io.BytesIO()
            Image.new("RGB", (320, 180), (10, 120, 200)).save(jpeg, "JPEG")
            form = aiohttp.FormData()
            form.add_field("file", jpeg.getvalue(), filename="a.jpg", content_type="image/jpeg")
            async with http.post(
                f"{stack.origin_url}/adminAPI/imagePack/{pack}/main/upload", data=form, headers=auth
            ) as response:
                assert response.status == 200
            url = f"{stack.edge.pop_urls['pop-1']}/api/v2/img/{pack}?width=160"  # type: ignore[union-attr]

            async def fmt(accept: str) -> str:
                async with http.get(url, headers={"Accept": accept}) as response:
                    assert response.status == 200
                    return str(Image.open(io.BytesIO(await response.read())).format)

            return await fmt(CHROME), await fmt(OLD_BROWSER), await fmt(CHROME)
    finally:
        await stack.stop()


@pytest.mark.parametrize("negotiate", [False, True])
async def test_each_browser_gets_its_format_when_accept_is_in_the_key(moto_server, negotiate):
    seen = await _formats_seen(moto_server, negotiate_format=negotiate)
    assert seen == (("WEBP", "JPEG", "WEBP") if negotiate else ("JPEG", "JPEG", "JPEG"))


async def test_bug_switch_caches_the_first_browsers_format_for_everyone(moto_server):
    seen = await _formats_seen(moto_server, negotiate_format=True, vary_on_negotiation=False)
    assert seen == ("WEBP", "WEBP", "WEBP")  # the old browser is sent WebP it cannot show


def test_negotiation_rule_reads_the_media_types():
    from origin.serving.params import negotiated_format

    formats = ("jpeg", "png", "webp")
    assert negotiated_format(CHROME, formats) == "webp"
    assert negotiated_format(OLD_BROWSER, formats) is None
    assert negotiated_format("image/webp;q=0, image/jpeg", formats) is None
    assert negotiated_format(None, formats) is None
