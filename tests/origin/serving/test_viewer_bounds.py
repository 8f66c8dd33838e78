"""What an anonymous viewer can make the origin spend: pixels per render, and the bytes of
the S3 variant cache (a loop of requests for large PNGs of a noisy original once filled
the disk: 40 requests, 1.7 GB)."""

from __future__ import annotations

import io
import random
from dataclasses import replace

from PIL import Image

from origin.settings import EMBEDDED_VARIANT_BUDGET, OriginSettings
from origin.storage import Storage, StorageSettings
from tests.origin.serving.fixtures import (
    PACK,
    ImagePack,
    LocationConfig,
    PackLocation,
    decode,
    image_id,
    put_config,
    put_original,
    put_pack,
)

URL = f"/api/v2/img/{PACK}"


def noise(size: tuple[int, int], seed: int = 1) -> bytes:
    """An image PNG cannot compress: every variant of it is about 3 bytes a pixel."""
    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, "PNG")
    return out.getvalue()


async def noisy_pack(storage: Storage, size: tuple[int, int] = (300, 300)) -> None:
    await put_config(storage, LocationConfig("main", width=100, height=100))
    await put_original(storage, image_id(1), noise(size))
    await put_pack(storage, ImagePack(PACK, "demo", image_locations={"main": PackLocation(image_id(1))}))  # fmt: skip


async def stored_bytes(storage: Storage) -> int:
    return sum(o.size for o in await storage.list_objects(storage.settings.variants_bucket))


async def test_a_loop_of_distinct_large_renders_keeps_the_variant_store_within_its_budget(
    serving_client, storage, events
):
    budget = 600_000  # about five of the 200x200 noisy PNGs below
    client = await serving_client(variant_store_bytes=budget)
    await noisy_pack(storage)
    for width in range(200, 215):  # fifteen distinct variants, each ~120 KB
        response = await client.get(f"{URL}?width={width}&height=200&format=png")
        assert response.status == 200
        assert decode(await response.read()).size == (width, 200)
        assert await stored_bytes(storage) <= budget
    full = events.read(kinds=["variant_store_full"])
    assert full, "reaching the budget is an event"
    assert all(e.data["evicted"] > 0 for e in full)
    assert all(e.data["remainingBytes"] <= budget * 0.9 for e in full)
    assert all(e.data["budgetBytes"] == budget for e in full)
    # The newest is kept (a hit); the oldest was evicted and is rendered again.
    last = await client.get(f"{URL}?width=214&height=200&format=png")
    assert last.headers["X-Variant-Cache"] == "hit"
    first = await client.get(f"{URL}?width=200&height=200&format=png")
    assert first.status == 200 and first.headers["X-Variant-Cache"] == "miss"


async def test_the_budget_counts_what_others_deleted_before_it_evicts(
    serving_client, storage, events
):
    client = await serving_client(variant_store_bytes=400_000)
    await noisy_pack(storage)
    for width in (200, 201):
        assert (await client.get(f"{URL}?width={width}&height=200&format=png")).status == 200
    # The aggregator (or a reset) deletes the pack's variants behind the budget's back.
    await storage.delete_prefix(storage.settings.variants_bucket, f"demo/{PACK}/")
    for width in (202, 203):
        assert (await client.get(f"{URL}?width={width}&height=200&format=png")).status == 200
    # Its own count said ~480 KB; the bucket holds ~240 KB: nothing to evict, no event.
    assert events.read(kinds=["variant_store_full"]) == []
    assert len(await storage.list_keys(storage.settings.variants_bucket, "")) == 2


async def test_a_variant_larger_than_the_whole_budget_is_served_without_being_kept(
    serving_client, storage, events
):
    client = await serving_client(variant_store_bytes=10_000)
    await noisy_pack(storage)
    response = await client.get(f"{URL}?width=200&height=200&format=png")
    assert response.status == 200 and decode(await response.read()).size == (200, 200)
    assert await stored_bytes(storage) == 0
    [event] = events.read(kinds=["variant_not_stored"])
    assert event.data["reason"] == "over_budget" and event.data["bytes"] > 10_000


async def test_a_variant_over_the_budget_and_the_response_limit_is_refused(serving_client, storage):
    client = await serving_client(variant_store_bytes=10_000, response_limit_bytes=20_000)
    await noisy_pack(storage)
    response = await client.get(f"{URL}?width=200&height=200&format=png")
    assert response.status == 422
    body = await response.json()
    assert body["code"] == "output_too_large" and body["parameter"] == "width"
    # A smaller one still fits both.
    assert (await client.get(f"{URL}?width=40&height=40&format=png")).status == 200


async def test_an_output_over_the_pixel_budget_is_refused_before_rendering(
    serving_client, storage, events
):
    client = await serving_client(max_output_pixels=100 * 100)
    await noisy_pack(storage)
    response = await client.get(f"{URL}?width=101&height=100")
    assert response.status == 422
    assert (await response.json())["parameter"] == "width"
    assert events.read(kinds=["render"]) == []
    assert (await client.get(f"{URL}?width=100&height=100")).status == 200


def test_the_variant_budget_bounds_the_embedded_store_by_default_and_real_ones_on_request():
    embedded = OriginSettings()
    assert embedded.variant_budget == EMBEDDED_VARIANT_BUDGET == 512 * 1024 * 1024
    real = OriginSettings(storage=StorageSettings(endpoint_url="http://127.0.0.1:9000"))
    assert real.variant_budget is None
    assert replace(real, variant_store_bytes=10**9).variant_budget == 10**9
    assert replace(embedded, variant_store_bytes=0).variant_budget is None
