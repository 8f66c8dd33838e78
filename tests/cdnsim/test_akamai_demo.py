"""`--demo` configures one Akamai Image Manager property over the stack's own origin:
the ready file's ``akamai`` keys work, and the README's session (create a policy on
staging, see its effect, activate it on production) runs as written."""

from __future__ import annotations

import io

import aiohttp
from PIL import Image

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from origin.storage import StorageSettings

AKAMAI_KEYS = {"api", "staging_api", "luna_token", "delivery", "staging_delivery", "sample_path"}
GRAY = {"breakpoints": {"widths": [200, 400]}, "transformations": [{"transformation": "Grayscale"}]}


async def test_demo_property_policy_on_staging_then_production(moto_server):  # type: ignore[no-untyped-def]
    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    settings = StackSettings(
        origin=OriginSettings(storage=storage, render_workers=1, id_seed=5), demo=True, seed=5
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    try:
        akamai = stack.ready()["akamai"]
        assert AKAMAI_KEYS <= akamai.keys()
        auth = {"Luna-Token": akamai["luna_token"]}
        sample = akamai["sample_path"] + "?impolicy=gray&imwidth=300&imformat=generic"
        async with aiohttp.ClientSession() as http:
            async with http.put(
                f"{akamai['staging_api']}/imaging/v2/policies/gray", json=GRAY, headers=auth
            ) as r:
                assert r.status == 201
            async with http.get(akamai["delivery"] + sample) as r:
                assert r.status == 400  # not on production yet
            async with http.get(akamai["staging_delivery"] + sample) as r:
                assert r.status == 200 and r.headers["X-Akamai-Im-Network"] == "staging"
                image = Image.open(io.BytesIO(await r.read())).convert("RGB")
            assert image.width == 400
            red, green, blue = image.getpixel((image.width // 2, image.height // 2))
            assert red == green == blue or max(red, green, blue) - min(red, green, blue) <= 3
            async with http.put(
                f"{akamai['api']}/imaging/v2/policies/gray", json=GRAY, headers=auth
            ) as r:
                assert r.status == 201
            async with http.get(akamai["delivery"] + sample) as r:
                assert r.status == 200 and r.headers["X-Akamai-Im-Network"] == "production"
    finally:
        await stack.stop()
