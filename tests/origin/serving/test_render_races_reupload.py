"""A render that races a re-upload of its original never fails: it serves the old image or
the new one.

An upload stores the new original, points the pack at it, then deletes the original it
replaced. A render that read the pack just before the pack write then finds its original
gone; it used to answer 502 "the stored original is missing". Here renders of new variants
run all the time re-uploads take, over real HTTP against real moto, round after round.

Without the storage memo (the default for any endpoint but the embedded one) every read is
a storage call and the race came in most runs on main (0 to 5 times in 30 rounds); with the
exact memo the reads are answered on the event loop and it is rarer. So the interleaving is
also run step by step: the request resolved (the pack read), a whole re-upload, the render.
"""

from __future__ import annotations

import asyncio
import itertools
from dataclasses import replace

import pytest
from multidict import MultiDict

from common.events import EventLog
from origin.app_keys import SERVING
from origin.serving.params import parse_query
from origin.storage import StorageSettings
from tests.origin.pack_fixtures import create_pack, upload
from tests.origin.serving.conftest import ClientFactory
from tests.origin.serving.fixtures import decode, image_bytes

RENDERS_IN_FLIGHT = 4
COLOURS = [(220, 20, 20), (20, 20, 220)]


@pytest.fixture(params=["off", "exact"])
def storage_settings(
    storage_settings: StorageSettings, request: pytest.FixtureRequest
) -> StorageSettings:
    return replace(storage_settings, memo=request.param)


def closest_colour(body: bytes) -> tuple[int, int, int]:
    """Which of the two originals a rendered variant shows."""
    pixel = decode(body).convert("RGB").getpixel((2, 2))
    assert isinstance(pixel, tuple)
    return min(COLOURS, key=lambda c: sum(abs(a - b) for a, b in zip(c, pixel, strict=True)))


async def test_renders_racing_reuploads_serve_the_old_or_the_new_image_never_an_error(
    serving_client: ClientFactory,
    admin_headers: dict[str, str],
) -> None:
    client = await serving_client()
    pack = (await create_pack(client, admin_headers))["id"]
    originals = [image_bytes((240, 160), colour) for colour in COLOURS]
    assert (await upload(client, admin_headers, pack, "main", originals[0])).status == 200
    widths = itertools.count(40)

    async def render() -> tuple[int, bytes]:
        # A new width each time: every request is a render that reads the pack, then the original.
        response = await client.get(f"/api/v2/img/{pack}", params={"width": str(next(widths))})
        return response.status, await response.read()

    for round_ in range(30):
        before, after = COLOURS[round_ % 2], COLOURS[(round_ + 1) % 2]
        replacing = asyncio.create_task(
            upload(client, admin_headers, pack, "main", originals[(round_ + 1) % 2])
        )
        answers: list[tuple[int, bytes]] = []
        # Renders in flight all the time the upload takes, so that some read the pack before
        # it points at the new original and the old original after it was deleted.
        while not replacing.done():
            answers += await asyncio.gather(*(render() for _ in range(RENDERS_IN_FLIGHT)))
        replaced = await replacing
        assert replaced.status == 200, await replaced.text()
        for status, body in answers:
            assert status == 200, f"round {round_}: {status} {body[:200]!r}"
            assert closest_colour(body) in (before, after)


async def test_a_render_whose_original_was_replaced_after_the_pack_was_read_serves_the_new_one(
    serving_client: ClientFactory, admin_headers: dict[str, str], events: EventLog
) -> None:
    client = await serving_client()
    pack = (await create_pack(client, admin_headers))["id"]
    old, new = (image_bytes((240, 160), colour) for colour in COLOURS)
    assert (await upload(client, admin_headers, pack, "main", old)).status == 200
    serving = client.server.app[SERVING]
    request = parse_query(MultiDict(width="120"), serving.settings.max_dimension)
    target = await serving._resolve("demo", pack, request)  # the pack, naming the old original
    assert (await upload(client, admin_headers, pack, "main", new)).status == 200  # deletes it
    served = await serving._hit_or_render(target)
    assert served.cache == "miss"
    assert closest_colour(served.variant.body) == COLOURS[1]
    (replaced,) = events.read(kinds=["source_replaced"])
    assert replaced.data["imageId"] == target.plan.source.image_id != replaced.data["now"]
    assert not events.read(kinds=["render_failed"])
