"""A stack reset wipes the embedded storage behind the storage memo's back: the memo forgets
everything, so nothing from before the reset is served, not even under ids that the
reseeded id generator hands out again for new uploads."""

from __future__ import annotations

import io

import aiohttp
from PIL import Image

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from tests.conftest import png_bytes

RED, BLUE = (220, 20, 20), (20, 20, 220)


async def test_after_a_reset_nothing_memoized_before_it_is_served(admin_headers) -> None:  # type: ignore[no-untyped-def]
    settings = StackSettings(
        origin=OriginSettings(render_workers=0, id_seed=5), pops=1, shield=False, seed=5
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    try:
        assert stack.storage is not None and stack.storage.memo is not None  # embedded: on
        async with aiohttp.ClientSession(base_url=stack.origin_url) as http:
            served = []
            for colour in (RED, BLUE):
                async with http.post("/adminAPI/imagePacks", headers=admin_headers) as response:
                    pack = (await response.json())["id"]
                form = aiohttp.FormData()
                form.add_field("file", png_bytes((40, 30), colour), filename="x.png")
                path = f"/adminAPI/imagePack/{pack}/main/upload"
                async with http.post(path, data=form, headers=admin_headers) as response:
                    assert response.status == 200, await response.text()
                    image_id = (await response.json())["imageLocations"]["main"]["imageId"]
                async with http.get(f"/api/v2/img/{pack}?width=20") as response:
                    assert response.status == 200, await response.text()
                    image = Image.open(io.BytesIO(await response.read())).convert("RGB")
                served.append((pack, image_id, image.getpixel((10, 10))))
                if colour == RED:
                    await stack.reset()
                    async with http.get(f"/api/v2/img/{pack}?width=20") as response:
                        assert response.status == 404  # the pack is gone with the storage
        (red_pack, red_image, red_pixel), (blue_pack, blue_image, blue_pixel) = served
        assert (blue_pack, blue_image) == (red_pack, red_image)  # the seeded ids came back
        assert red_pixel[0] > 200 and blue_pixel[2] > 200  # each served from its own bytes
    finally:
        await stack.stop()
