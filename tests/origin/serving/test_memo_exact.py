"""The storage memo is exact: no render uses a location config, a crop or an original older
than a write that was acknowledged before the request, whichever origin made the write.

Two origins share one storage as two origin worker processes do (each with its own
``Storage``, both bumping one shared coherence table); one writes, the other serves, and
they swap at every round. The same run with a coherence table per origin (two programs that
do not know of each other) must see stale renders: that proves the test can see them.
"""

from __future__ import annotations

import io
import multiprocessing
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import pytest
from aiohttp.test_utils import TestClient
from PIL import Image

from common.clock import Clock
from common.ids import IdGenerator
from origin.app import create_app
from origin.settings import OriginSettings
from origin.storage import Storage, StorageSettings
from origin.storage.coherence import Coherence
from tests.origin.pack_fixtures import create_pack, upload

QUADRANTS = ("topleft", "topright", "bottomleft", "bottomright")
CROPS = {
    "topleft": (0.0, 0.0, 0.5, 0.5),
    "topright": (0.5, 0.0, 1.0, 0.5),
    "bottomleft": (0.0, 0.5, 0.5, 1.0),
    "bottomright": (0.5, 0.5, 1.0, 1.0),
}


def quadrant_colour(round_: int, quadrant: str) -> tuple[int, int, int]:
    """A colour per (round, quadrant): a re-upload and a crop each change what a render shows."""
    index = QUADRANTS.index(quadrant)
    return (40 + 50 * index, (round_ * 37) % 200 + 20, 200 - 40 * index)


def quadrant_image(round_: int) -> bytes:
    image = Image.new("RGB", (200, 200))
    for quadrant, (left, top, _, _) in CROPS.items():
        box = (int(left * 200), int(top * 200), int(left * 200) + 100, int(top * 200) + 100)
        image.paste(quadrant_colour(round_, quadrant), box)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def crop_body(quadrant: str) -> dict[str, object]:
    left, top, right, bottom = CROPS[quadrant]
    return {
        "cropInfo": {
            "topLeftX": left,
            "topLeftY": top,
            "bottomRightX": right,
            "bottomRightY": bottom,
        }
    }


@dataclass
class Origins:
    clients: tuple[TestClient, TestClient]
    storages: tuple[Storage, Storage]


async def _origins(
    aiohttp_client, settings: StorageSettings, coherences: tuple[Coherence, Coherence]
) -> AsyncIterator[Origins]:  # type: ignore[no-untyped-def]
    origin = OriginSettings(storage=settings, render_workers=0, default_tenant="demo")
    storages = tuple(Storage(settings, settings.endpoint_url, coherence=c) for c in coherences)
    await storages[0].run(storages[0].create_resources)
    clients = []
    for index, storage in enumerate(storages):
        app = create_app(origin, clock=Clock.manual(), storage=storage, ids=IdGenerator(index))
        clients.append(await aiohttp_client(app))
    yield Origins((clients[0], clients[1]), (storages[0], storages[1]))  # type: ignore[arg-type]
    for storage in storages:
        storage.close()


@pytest.fixture
async def shared(aiohttp_client, storage_settings) -> AsyncIterator[Origins]:  # type: ignore[no-untyped-def]
    coherence = Coherence.shared(multiprocessing.get_context("spawn"))
    async for origins in _origins(aiohttp_client, storage_settings, (coherence, coherence)):
        yield origins


@pytest.fixture
async def unaware(aiohttp_client, storage_settings) -> AsyncIterator[Origins]:  # type: ignore[no-untyped-def]
    pair = (Coherence.private(), Coherence.private())
    async for origins in _origins(aiohttp_client, storage_settings, pair):
        yield origins


async def _rounds(origins: Origins, headers: dict[str, str], rounds: int) -> list[str]:
    """Each round: one origin changes the config's width (forced), the crop and the
    original; then the other serves the location. Returns what was stale, per round."""
    writer_client = origins.clients[0]
    await writer_client.put(
        "/adminAPI/imageLocationConfig/main",
        json={"name": "main", "width": 40, "height": 40},
        headers=headers,
    )
    pack = await create_pack(writer_client, headers)
    stale: list[str] = []
    for round_ in range(rounds):
        writer, reader = origins.clients[round_ % 2], origins.clients[1 - round_ % 2]
        # The reader serves first, so that its memo holds this round's old values.
        warm = await reader.get(f"/api/v2/img/{pack['id']}?location=main")
        assert warm.status in (200, 404), await warm.text()
        width, quadrant = 40 + round_, QUADRANTS[round_ % 4]
        response = await writer.put(
            "/adminAPI/imageLocationConfig/main?force=true",
            json={"name": "main", "width": width, "height": 40},
            headers=headers,
        )
        assert response.status == 200, await response.text()
        response = await writer.put(
            f"/adminAPI/imagePack/{pack['id']}/main", json=crop_body(quadrant), headers=headers
        )
        assert response.status == 200, await response.text()
        response = await upload(writer, headers, pack["id"], "main", quadrant_image(round_))
        assert response.status == 200, await response.text()

        served = await reader.get(f"/api/v2/img/{pack['id']}?location=main")
        if served.status != 200:  # e.g. an old pack that had no image yet
            stale.append(f"round {round_}: {served.status} {await served.text()}")
            continue
        assert served.headers["X-Variant-Cache"] == "miss"  # a new width: rendered now
        image = Image.open(io.BytesIO(await served.read())).convert("RGB")
        if image.width != width:
            stale.append(f"round {round_}: config width {image.width}, not {width}")
        colour = image.getpixel((image.width // 2, image.height // 2))
        expected = quadrant_colour(round_, quadrant)
        if max(abs(a - b) for a, b in zip(colour, expected, strict=True)) > 12:
            stale.append(f"round {round_}: colour {colour}, not {expected} ({quadrant})")
    return stale


async def test_no_render_uses_a_config_crop_or_original_older_than_the_write_before_it(
    shared: Origins, admin_headers
) -> None:
    assert await _rounds(shared, admin_headers, rounds=8) == []
    # The memo was used, not bypassed: both origins served from it between writes.
    for storage in shared.storages:
        assert storage.memo is not None
        assert storage.memo.stats.hits > 0
        assert storage.memo.stats.filled_by_writes > 0


async def test_origins_that_do_not_share_the_coherence_table_do_serve_stale(
    unaware: Origins, admin_headers
) -> None:
    """Why the table must be shared (and why another writer turns the memo off): the check
    above sees staleness when it is there."""
    assert await _rounds(unaware, admin_headers, rounds=4) != []


async def test_an_object_rewritten_under_its_key_is_never_read_from_the_old_bytes(
    storage_settings: StorageSettings,
) -> None:
    coherence = Coherence.private()
    writer, reader = (
        Storage(storage_settings, storage_settings.endpoint_url, coherence=coherence)
        for _ in range(2)
    )
    try:
        await writer.run(writer.create_resources)
        bucket = storage_settings.originals_bucket
        for body in (b"first", b"second", b"third"):
            await writer.put_object(bucket, "demo/0123456789abcdef01234567", body, "image/png")
            blob = await reader.get_object(bucket, "demo/0123456789abcdef01234567")
            assert blob is not None and blob.body == body
            again = await reader.get_object(bucket, "demo/0123456789abcdef01234567")
            assert again is not None and again.body == body
        await writer.delete_object(bucket, "demo/0123456789abcdef01234567")
        assert await reader.get_object(bucket, "demo/0123456789abcdef01234567") is None
        assert reader.memo is not None and reader.memo.stats.hits >= 3
    finally:
        writer.close()
        reader.close()


def test_the_memo_is_on_with_the_embedded_store_and_off_for_other_endpoints() -> None:
    assert StorageSettings().memo_exact
    assert not StorageSettings(endpoint_url="http://127.0.0.1:9").memo_exact
    assert StorageSettings(endpoint_url="http://127.0.0.1:9", memo="exact").memo_exact
    assert not StorageSettings(memo="off").memo_exact
    with pytest.raises(ValueError):
        replace(StorageSettings(), memo="sometimes")


async def test_a_variant_never_written_is_absent_without_a_read_and_a_written_one_is_found(
    storage_settings: StorageSettings,
) -> None:
    """Two origin processes share the written-keys filter: what one stores, the other finds."""
    from origin.storage.written_keys import WrittenKeys

    written = WrittenKeys.private()
    one, other = (
        Storage(storage_settings, storage_settings.endpoint_url, written_variants=written)
        for _ in range(2)
    )
    try:
        await one.run(one.create_resources)
        bucket = storage_settings.variants_bucket
        assert await other.get_object(bucket, "demo/p/main/w=1") is None
        assert written.skipped == 1  # answered without asking S3
        await one.put_object(bucket, "demo/p/main/w=1", b"variant", "image/jpeg")
        found = await other.get_object(bucket, "demo/p/main/w=1")
        assert found is not None and found.body == b"variant"
        await one.delete_object(bucket, "demo/p/main/w=1")
        assert await other.get_object(bucket, "demo/p/main/w=1") is None  # read, and gone
        assert written.skipped == 1
    finally:
        one.close()
        other.close()
