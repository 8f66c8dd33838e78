"""``POST /_sim/reset`` puts the vendors' control planes back as at start-up: the imgix
account (sources, assets, purges) with its demo source under the same id, and the Akamai
property's policies."""

from __future__ import annotations

from typing import Any

import aiohttp

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings


async def test_reset_restores_the_imgix_account_and_the_akamai_policies() -> None:
    # Embedded storage (a reset needs it) and no seed: ids must repeat all the same.
    stack = Stack(
        StackSettings(origin=OriginSettings(render_workers=1), pops=1, shield=False, demo=True),
        Clock.manual(),
    )
    await stack.start()
    try:
        ready = stack.ready()
        imgix, akamai = ready["imgix"], ready["akamai"]
        auth = {
            "Authorization": f"Bearer {imgix['api_key']}",
            "Content-Type": "application/vnd.api+json",
        }
        luna = {"Luna-Token": akamai["luna_token"]}
        sample = imgix["delivery"] + imgix["sample_path"] + "?w=40"
        purge = {
            "data": {
                "type": "purges",
                "attributes": {"url": f"https://demo.imgix.net{imgix['sample_path']}"},
            }
        }
        other = {
            "data": {
                "type": "sources",
                "attributes": {
                    "name": "other",
                    "deployment": {"type": "webproxy", "imgix_subdomains": ["other"]},
                },
            }
        }
        rename = {
            "data": {"type": "sources", "id": imgix["source_id"], "attributes": {"name": "renamed"}}
        }
        async with aiohttp.ClientSession() as http:

            async def call(
                method: str, url: str, body: Any = None, headers: Any = None
            ) -> tuple[int, Any]:
                async with http.request(method, url, json=body, headers=headers or auth) as r:
                    return r.status, await r.json(content_type=None)

            assert (await http.get(sample)).status == 200  # the demo image becomes an asset
            assert (await call("POST", f"{imgix['api']}/api/v1/sources", other))[0] == 201
            assert (
                await call("PATCH", f"{imgix['api']}/api/v1/sources/{imgix['source_id']}", rename)
            )[0] == 200
            assert (await call("POST", f"{imgix['api']}/api/v1/purge", purge))[0] == 200
            assert (await call("POST", f"{imgix['api']}/api/v1/purge", purge))[0] == 409
            assert (
                await call(
                    "PUT",
                    f"{akamai['api']}/imaging/v2/policies/gray",
                    {"transformations": [{"transformation": "Grayscale"}]},
                    luna,
                )
            )[0] == 201

            status, _ = await call("POST", f"{ready['control']}/_sim/reset")
            assert status == 200

            assert stack.ready()["imgix"] == imgix  # the ready file still tells the truth
            _, doc = await call("GET", f"{imgix['api']}/api/v1/sources")
            assert [(s["id"], s["attributes"]["name"]) for s in doc["data"]] == [
                (imgix["source_id"], "cdnsim demo")
            ]
            _, doc = await call("GET", f"{imgix['api']}/api/v1/sources/{imgix['source_id']}/assets")
            assert doc["data"] == []
            assert (await call("POST", f"{imgix['api']}/api/v1/purge", purge))[
                0
            ] == 200  # no 409 left over
            _, policies = await call("GET", f"{akamai['api']}/imaging/v2/policies", headers=luna)
            assert policies["items"] == [{"id": ".auto"}]
            async with http.get(sample) as r:  # the demo image is in its bucket again
                assert r.status == 200 and "hit" not in r.headers["Cache-Status"].split(",")[-1]
    finally:
        await stack.stop()
