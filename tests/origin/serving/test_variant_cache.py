"""The S3 variant cache, conditional requests, redirects and single-flight rendering over HTTP."""

from __future__ import annotations

import asyncio
import os

from origin.app_keys import RENDER_POOL
from origin.settings import TenantSettings
from tests.origin.serving.fixtures import (
    BLUE,
    PACK,
    RED,
    TENANT,
    close_to,
    decode,
    image_bytes,
    image_id,
    put_original,
    simple_pack,
)

URL = f"/api/v2/img/{PACK}"


async def variant_keys(storage) -> list[str]:  # type: ignore[no-untyped-def]
    return await storage.list_keys(storage.settings.variants_bucket, f"{TENANT}/{PACK}/")


async def test_a_render_is_stored_and_the_next_request_is_served_from_the_variant_cache(
    origin_client, storage, events
):
    await simple_pack(storage)
    first = await origin_client.get(f"{URL}?width=30")
    assert first.headers["X-Variant-Cache"] == "miss"
    (render,) = events.read(kinds=["render"])
    assert render.component == "origin"
    data = render.data
    assert (data["tenant"], data["pack"], data["location"], data["imageLocation"]) == (
        TENANT,
        PACK,
        "main",
        "main",
    )
    assert (
        data["params"]["width"] == 30
        and data["params"]["height"] == 15
        and data["params"]["format"] == "png"
    )
    assert data["sourceBytes"] > 0 and data["outputBytes"] == len(await first.read())
    assert data["cpuSeconds"] >= 0 and data["variantKey"] == first.headers["X-Variant-Key"]
    assert [e.data["variantKey"] for e in events.read(kinds=["variant_stored"])] == [
        data["variantKey"]
    ]
    assert await variant_keys(storage) == [data["variantKey"]]
    assert data["variantKey"].startswith(f"{TENANT}/{PACK}/main/")

    second = await origin_client.get(f"{URL}?width=30")
    assert second.headers["X-Variant-Cache"] == "hit"
    assert await second.read() == await first.read()
    assert second.headers["ETag"] == first.headers["ETag"]
    assert second.headers["Last-Modified"] == first.headers["Last-Modified"]
    assert len(events.read(kinds=["render"])) == 1
    assert len(events.read(kinds=["variant_hit"])) == 1


async def test_date_the_id_suffix_and_unknown_parameters_share_one_variant(
    origin_client, storage, events
):
    await simple_pack(storage)
    await origin_client.get(f"{URL}?width=30")
    for url in [
        f"{URL}?width=30&date=2026-01-01",
        f"{URL}-1767225600?width=30",
        f"{URL}?width=30&utm=x",
    ]:
        resp = await origin_client.get(url)
        assert resp.status == 200 and resp.headers["X-Variant-Cache"] == "hit", url
    assert len(events.read(kinds=["render"])) == 1
    assert len(await variant_keys(storage)) == 1


async def test_a_date_cache_buster_is_still_answered_from_a_stale_s3_variant(
    origin_client, storage
):
    # The spec's point: S3 variants outlive a replaced original until they are purged.
    await simple_pack(storage, color=RED)
    await origin_client.get(URL)
    await put_original(storage, image_id(1), image_bytes((200, 100), BLUE))
    stale = await origin_client.get(f"{URL}?date=now")
    assert stale.headers["X-Variant-Cache"] == "hit"
    assert close_to(decode(await stale.read()).convert("RGB").getpixel((5, 5)), RED)
    assert await storage.delete_prefix(storage.settings.variants_bucket, f"{TENANT}/{PACK}/") == 1
    fresh = await origin_client.get(f"{URL}?date=later")
    assert fresh.headers["X-Variant-Cache"] == "miss"
    assert close_to(decode(await fresh.read()).convert("RGB").getpixel((5, 5)), BLUE)


async def test_a_matching_if_none_match_is_304(origin_client, storage):
    await simple_pack(storage)
    etag = (await origin_client.get(URL)).headers["ETag"]
    resp = await origin_client.get(URL, headers={"If-None-Match": etag})
    assert resp.status == 304 and resp.headers["ETag"] == etag and await resp.read() == b""
    resp = await origin_client.get(URL, headers={"If-None-Match": '"something-else"'})
    assert resp.status == 200


async def test_the_legacy_paths_redirect_permanently_with_the_same_query(origin_client, storage):
    await simple_pack(storage)
    for legacy in ("/api/img", "/api/v1/img"):
        resp = await origin_client.get(
            f"{legacy}/{PACK}-123?width=30&date=x%20y", allow_redirects=False
        )
        assert resp.status == 301
        assert resp.headers["Location"] == f"/api/v2/img/{PACK}-123?width=30&date=x%20y"
        followed = await origin_client.get(f"{legacy}/{PACK}")
        assert followed.status == 200 and decode(await followed.read()).size == (100, 50)


async def test_a_variant_over_the_response_limit_is_stored_and_redirected_to(
    serving_client, storage
):
    client = await serving_client(response_limit_bytes=1024)
    await simple_pack(storage)
    small = await client.get(f"{URL}?width=10")
    assert small.status == 200
    resp = await client.get(
        f"{URL}?width=800&height=800&format=png&rounded-corners=300", allow_redirects=False
    )
    assert resp.status == 302 and resp.headers["Cache-Control"] == "no-store"
    location = resp.headers["Location"]
    key = resp.headers["X-Variant-Key"]
    assert location == f"/api/v2/variants/{key}"
    stored = await client.get(location)
    assert stored.status == 200 and stored.headers["ETag"] == resp.headers["ETag"]
    body = await stored.read()
    assert len(body) > 1024 and decode(body).size == (800, 800)
    # A cache hit over the limit redirects too.
    again = await client.get(
        f"{URL}?width=800&height=800&format=png&rounded-corners=300", allow_redirects=False
    )
    assert again.status == 302 and again.headers["X-Variant-Cache"] == "hit"


async def test_the_redirect_is_absolute_when_a_public_url_is_configured(serving_client, storage):
    client = await serving_client(response_limit_bytes=1024, public_url="https://img.example.test/")
    await simple_pack(storage)
    resp = await client.get(f"{URL}?width=800&height=800&format=png", allow_redirects=False)
    assert (
        resp.headers["Location"]
        == f"https://img.example.test/api/v2/variants/{resp.headers['X-Variant-Key']}"
    )


async def test_the_variant_route_serves_only_stored_variant_keys(origin_client, storage):
    await simple_pack(storage)
    key = (await origin_client.get(URL)).headers["X-Variant-Key"]
    assert (await origin_client.get(f"/api/v2/variants/{key}")).status == 200
    wrong_tenant = "BAD!" + key[len(TENANT) :]
    for bad in [
        wrong_tenant,
        key.replace("w=100", "w=101"),
        f"{TENANT}/{PACK}/main/../../x",
        "demo/x",
        key + "/more",
    ]:
        resp = await origin_client.get(f"/api/v2/variants/{bad}")
        assert resp.status == 404, bad
        assert (await resp.json())["code"] in ("variant_not_found", "not_found")


async def test_the_variant_route_requires_the_tenants_access_key(serving_client, storage):
    client = await serving_client(tenants=(TenantSettings("secure", access_key="s3cret"),))
    await simple_pack(storage, tenant="secure")
    host = {"Host": "secure.image-service.dev.localhost"}
    resp = await client.get(URL, headers=host | {"X-vimond-access-key": "s3cret"})
    key = resp.headers["X-Variant-Key"]
    refused = await client.get(f"/api/v2/variants/{key}")
    assert refused.status == 403
    served = await client.get(f"/api/v2/variants/{key}", headers={"X-vimond-access-key": "s3cret"})
    assert served.status == 200
    # Whatever host it is asked on, it varies on what the guard reads.
    assert refused.headers["Vary"] == served.headers["Vary"] == "X-vimond-access-key"


async def test_concurrent_requests_for_one_uncached_variant_render_it_once(
    origin_client, storage, events
):
    await simple_pack(storage, size=(800, 600))
    responses = await asyncio.gather(
        *(origin_client.get(f"{URL}?width=300&format=webp") for _ in range(8))
    )
    bodies = [await r.read() for r in responses]
    assert all(r.status == 200 for r in responses)
    assert len(set(bodies)) == 1
    assert len(events.read(kinds=["render"])) == 1
    assert len(events.read(kinds=["variant_stored"])) == 1
    states = sorted(r.headers["X-Variant-Cache"] for r in responses)
    assert states.count("miss") == 1 and set(states) <= {"miss", "coalesced", "hit"}


async def test_the_process_pool_renders_over_http(serving_client, storage, events):
    client = await serving_client(render_workers=1)
    await simple_pack(storage, size=(400, 200))
    responses = await asyncio.gather(*(client.get(f"{URL}?width={w}") for w in (10, 20, 30)))
    bodies = [await r.read() for r in responses]
    assert sorted(decode(body).size for body in bodies) == [(10, 5), (20, 10), (30, 15)]
    assert len(events.read(kinds=["render"])) == 3
    pids = client.app[RENDER_POOL].worker_pids()
    assert len(pids) == 1 and pids[0] != os.getpid()


async def test_head_answers_the_headers_of_get_without_a_body(origin_client, storage):
    await simple_pack(storage)
    get = await origin_client.get(URL)
    head = await origin_client.head(URL)
    assert head.status == 200 and await head.read() == b""
    for name in ("ETag", "Content-Type", "Last-Modified", "X-Image-Location", "Cache-Control"):
        assert head.headers[name] == get.headers[name], name
    assert head.headers["X-Variant-Cache"] == "hit"


async def test_the_stored_copy_answers_if_none_match_with_304(origin_client, storage):
    await simple_pack(storage)
    resp = await origin_client.get(URL)
    location = f"/api/v2/variants/{resp.headers['X-Variant-Key']}"
    again = await origin_client.get(location, headers={"If-None-Match": resp.headers["ETag"]})
    assert again.status == 304 and again.headers["ETag"] == resp.headers["ETag"]
