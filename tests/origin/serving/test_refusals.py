"""Every refusal of the client API over HTTP: 403, 404, 422 naming the parameter, 502 for a bad original."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from origin.app import create_app
from origin.settings import TenantSettings
from origin.storage import Storage
from tests.origin.serving.fixtures import (
    PACK,
    TENANT,
    ImagePack,
    LocationConfig,
    PackLocation,
    image_bytes,
    image_id,
    put_config,
    put_original,
    put_pack,
    simple_pack,
)

URL = f"/api/v2/img/{PACK}"
SECURE_HOST = {"Host": "secure.image-service.dev.localhost"}


async def assert_error(
    resp, status: int, code: str | None = None, parameter: str | None = None
) -> dict:  # type: ignore[no-untyped-def, type-arg]
    assert resp.status == status, await resp.text()
    assert resp.content_type == "application/json"
    body = await resp.json()
    assert body["status"] == status and body["message"]
    if code:
        assert body["code"] == code
    if parameter:
        assert body["parameter"] == parameter
    return body  # type: ignore[no-any-return]


# -- 403 -----------------------------------------------------------------------------
@pytest.mark.parametrize("key", [None, "", "wrong", "s3cret!"])
async def test_a_tenant_with_an_access_key_refuses_requests_without_it(
    serving_client, storage, key
):
    client = await serving_client(tenants=(TenantSettings("secure", access_key="s3cret"),))
    await simple_pack(storage, tenant="secure")
    headers = SECURE_HOST | ({"X-vimond-access-key": key} if key is not None else {})
    resp = await client.get(URL, headers=headers)
    await assert_error(resp, 403, "access_key_required")
    # A shared cache must not hand this refusal to a key holder (RFC 9110 §12.5.5).
    assert resp.headers["Vary"] == "X-vimond-access-key"


async def test_a_tenant_with_an_access_key_serves_requests_with_it(serving_client, storage):
    client = await serving_client(tenants=(TenantSettings("secure", access_key="s3cret"),))
    await simple_pack(storage, tenant="secure")
    resp = await client.get(URL, headers=SECURE_HOST | {"X-vimond-access-key": "s3cret"})
    assert resp.status == 200
    # Nor this image to a request without the key.
    assert resp.headers["Vary"] == "X-vimond-access-key"
    # Other tenants need no key, and their images vary on nothing.
    await simple_pack(storage)
    resp = await client.get(URL)
    assert resp.status == 200 and "Vary" not in resp.headers


# -- 404 -----------------------------------------------------------------------------
async def test_an_unknown_pack_is_404(origin_client, storage):
    await assert_error(await origin_client.get(URL), 404, "pack_not_found")


@pytest.mark.parametrize(
    "raw", ["not-a-pack", "0123456789ABCDEF01234567", f"{PACK}0", f"{PACK}-1-2"]
)
async def test_an_id_that_is_no_pack_id_is_404(origin_client, storage, raw):
    await simple_pack(storage)
    await assert_error(await origin_client.get(f"/api/v2/img/{raw}"), 404, "pack_not_found")


async def test_a_pack_of_another_tenant_is_404(origin_client, storage):
    await simple_pack(storage, tenant="other")
    await assert_error(await origin_client.get(URL), 404, "pack_not_found")


# -- 422 -----------------------------------------------------------------------------
BAD_QUERIES = [
    ("width=0", "width"),
    ("width=4097", "width"),
    ("width=ten", "width"),
    ("height=-1", "height"),
    ("height=1e3", "height"),
    ("rounded-corners=-3", "rounded-corners"),
    ("location-ratio=maybe", "location-ratio"),
    ("skip-crop=yes", "skip-crop"),
    ("resize-mode=stretch", "resize-mode"),
    ("resize-gravity=middle", "resize-gravity"),
    ("format=bmp", "format"),
    ("location=bad%20name", "location"),
    ("region=a%2Fb", "region"),
    ("width=10&width=20", "width"),
]


@pytest.mark.parametrize(("query", "parameter"), BAD_QUERIES)
async def test_a_bad_parameter_is_422_naming_it(origin_client, storage, events, query, parameter):
    await simple_pack(storage)
    body = await assert_error(
        await origin_client.get(f"{URL}?{query}"), 422, "invalid_parameter", parameter
    )
    assert parameter in body["message"]
    assert not events.read(kinds=["render"])


async def test_parameters_are_refused_before_any_storage_read(origin_client):
    # No pack exists: the 422 comes before the lookup that would have said 404.
    await assert_error(await origin_client.get(f"{URL}?width=0"), 422, parameter="width")


async def test_an_unknown_location_is_422(origin_client, storage):
    await simple_pack(storage)
    await assert_error(
        await origin_client.get(f"{URL}?location=nowhere"), 422, "unknown_location", "location"
    )


async def test_an_unknown_region_is_422(origin_client, storage):
    await simple_pack(storage)
    await assert_error(
        await origin_client.get(f"{URL}?region=atlantis"), 422, "unknown_region", "region"
    )


async def test_a_size_derived_over_the_limit_is_refused_before_decoding(
    origin_client, storage, events
):
    await simple_pack(storage, size=(100, 1000))  # tall: width 4000 would need height 40000
    body = await assert_error(await origin_client.get(f"{URL}?width=4000"), 422, parameter="width")
    assert "40000" in body["message"]
    assert not events.read(kinds=["render"])


async def test_a_location_ratio_size_over_the_limit_is_refused(origin_client, storage):
    await simple_pack(storage, config=LocationConfig("main", width=10, height=100))
    await assert_error(
        await origin_client.get(f"{URL}?width=1000&location-ratio=true"), 422, parameter="width"
    )


# -- a stored original that cannot serve -----------------------------------------------------
async def corrupt_pack(storage, body: bytes) -> None:  # type: ignore[no-untyped-def]
    await put_config(storage, LocationConfig("main", width=10, height=10))
    await put_original(storage, image_id(1), image_bytes((20, 20)))
    # Overwrite the bytes, keep the upload's metadata: what a damaged object looks like.
    blob = await storage.get_object(storage.settings.originals_bucket, f"{TENANT}/{image_id(1)}")
    await storage.put_object(
        storage.settings.originals_bucket,
        f"{TENANT}/{image_id(1)}",
        body,
        "image/png",
        blob.metadata,
    )
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )


@pytest.mark.parametrize("body", [b"not an image at all", image_bytes((20, 20))[:60]])
async def test_an_unreadable_original_is_502_with_an_event_and_the_origin_keeps_serving(
    origin_client, storage, events, body
):
    await corrupt_pack(storage, body)
    await assert_error(await origin_client.get(URL), 502, "source_unreadable")
    (failure,) = events.read(kinds=["render_failed"])
    assert failure.data["pack"] == PACK and failure.data["imageId"] == image_id(1)
    assert not events.read(kinds=["render", "variant_stored"])
    # Nothing was cached: a repaired original serves at once, and the server is alive.
    await put_original(storage, image_id(1), image_bytes((20, 20)))
    assert (await origin_client.get(URL)).status == 200


async def test_concurrent_requests_for_an_unreadable_original_all_get_the_error(
    origin_client, storage
):
    await corrupt_pack(storage, b"garbage")
    responses = await asyncio.gather(*(origin_client.get(URL) for _ in range(5)))
    assert [r.status for r in responses] == [502] * 5


async def test_a_missing_original_is_502_source_missing(origin_client, storage, events):
    await put_config(storage, LocationConfig("main", width=10, height=10))
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(9))})
    )
    await assert_error(await origin_client.get(URL), 502, "source_missing")
    assert events.read(kinds=["render_failed"])[0].data["reason"] == "source_missing"


async def test_an_original_over_the_pixel_limit_is_refused_from_its_header(
    serving_client, storage, events
):
    client = await serving_client(max_image_pixels=1000)
    await simple_pack(storage, size=(100, 100))
    await assert_error(await client.get(URL), 502, "source_unreadable")
    assert events.read(kinds=["render_failed"])


async def test_storage_that_does_not_answer_is_503_not_a_crash(
    aiohttp_client, origin_settings, storage_settings, clock
):
    # Nothing listens on loopback port 9: every S3/DynamoDB call is refused at once. (Without
    # the memo, which would know that no variant was ever written there: every call asks.)
    broken = Storage(replace(storage_settings, io_threads=2, memo="off"), "http://127.0.0.1:9")
    try:
        client = await aiohttp_client(create_app(origin_settings, clock=clock, storage=broken))
        await assert_error(await client.get(URL), 503, "storage_unavailable")
        await assert_error(
            await client.get(
                f"/api/v2/variants/{TENANT}/{PACK}/main/src=main,reg=-,w=1,h=1,mode=crop,g=center,crop=none,rc=0,fmt=png"
            ),
            503,
            "storage_unavailable",
        )
    finally:
        broken.close()


async def test_a_truncated_original_fails_cleanly_across_the_process_pool(
    serving_client, storage, events
):
    client = await serving_client(render_workers=1)
    await corrupt_pack(storage, image_bytes((400, 400))[:80])  # the header reads, the pixels do not
    await assert_error(await client.get(URL), 502, "source_unreadable")
    assert events.read(kinds=["render_failed"])
    await put_original(storage, image_id(1), image_bytes((20, 20)))
    assert (await client.get(URL)).status == 200
