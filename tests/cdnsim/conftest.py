"""The whole stack in the test's event loop, on a manual clock, with known POP delays."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator
from dataclasses import dataclass

import aiohttp
import pytest
from PIL import Image

from cdnsim.stack import Stack, StackSettings
from common.clock import MANUAL_EPOCH, Clock
from origin.settings import OriginSettings

# Each POP applies an invalidation this long after it was created (simulated seconds).
POP_DELAYS = {"pop-1": 10.0, "pop-2": 40.0, "pop-3": 70.0, "shield": 5.0}


@dataclass
class Running:
    stack: Stack
    http: aiohttp.ClientSession
    admin: dict[str, str]

    @property
    def clock(self) -> Clock:
        return self.stack.clock

    def elapsed(self) -> float:
        return self.clock.now() - MANUAL_EPOCH

    async def admin_call(self, method: str, path: str, **kwargs) -> dict:  # type: ignore[no-untyped-def, type-arg]
        async with self.http.request(
            method, self.stack.origin_url + path, headers=self.admin, **kwargs
        ) as r:
            assert r.status == 200, await r.text()
            return await r.json()

    async def upload(self, pack: str, location: str, colour: tuple[int, int, int]) -> None:
        image = io.BytesIO()
        Image.new("RGB", (800, 450), colour).save(image, "PNG")
        form = aiohttp.FormData()
        form.add_field("file", image.getvalue(), filename="x.png", content_type="image/png")
        await self.admin_call("POST", f"/adminAPI/imagePack/{pack}/{location}/upload", data=form)

    async def colour_at(self, pop_id: str, path: str) -> tuple[int, ...]:
        async with self.http.get(self.stack.edge.pop_urls[pop_id] + path) as response:  # type: ignore[union-attr]
            assert response.status == 200, await response.text()
            return Image.open(io.BytesIO(await response.read())).convert("RGB").getpixel((5, 5))

    async def advance_to(self, elapsed: float) -> None:
        await self.clock.advance(elapsed - self.elapsed())


@pytest.fixture
async def running(moto_server) -> AsyncIterator[Running]:  # type: ignore[no-untyped-def]
    from origin.storage import StorageSettings

    moto_server.reset()
    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    settings = StackSettings(
        origin=OriginSettings(storage=storage, render_workers=1, id_seed=5),
        invalidation_delays={"kind": "fixed", "seconds": 0, "per_pop": POP_DELAYS},
        seed=5,
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    async with aiohttp.ClientSession() as http:
        yield Running(stack, http, {"Authorization": f"Bearer {stack.admin_token}"})
    await stack.stop()
