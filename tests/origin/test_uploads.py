"""Originals over HTTP: multipart upload, fetchImage from allowed hosts, download; every refusal."""

from __future__ import annotations

import asyncio
import io
import zlib
from dataclasses import replace

import pytest
from aiohttp import web
from PIL import Image

from origin.models.image_fetch import host_allowed
from origin.models.original_layout import OriginalMeta, original_key
from tests.conftest import png_bytes, token_for
from tests.origin.pack_fixtures import (
    OTHER_HOST,
    add_region,
    assert_error,
    create_pack,
    multipart,
    original_exists,
    start_origin,
    stored_originals,
    upload,
)

UNKNOWN_ID = "0123456789abcdef01234567"


def noisy(fmt: str, size: tuple[int, int] = (256, 256)) -> bytes:
    """An image that does not compress away, so that cutting it really truncates pixels."""
    out = io.BytesIO()
    Image.effect_noise(size, 60).convert("RGB").save(out, fmt)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A small PNG whose header claims ``width``×``height`` (valid CRC): a bomb by its header."""
    data = bytearray(png_bytes((8, 8)))
    data[16:20] = width.to_bytes(4, "big")
    data[20:24] = height.to_bytes(4, "big")
    data[29:33] = zlib.crc32(bytes(data[12:29])).to_bytes(4, "big")
    return bytes(data)


def one_bit_bomb() -> bytes:
    """64 megapixels that compress to a few kilobytes: over the default 50 MP limit."""
    out = io.BytesIO()
    Image.new("1", (8000, 8000)).save(out, "PNG")
    return out.getvalue()


async def test_upload_stores_the_original_unchanged_with_its_metadata(
    origin_client, admin_headers, storage, clock, events
):
    pack = await create_pack(origin_client, admin_headers)
    await clock.advance(30)
    data = png_bytes((64, 48))
    response = await upload(origin_client, admin_headers, pack["id"], "main", data)
    assert response.status == 200
    updated = await response.json()
    image_id = updated["imageLocations"]["main"]["imageId"]
    assert updated["sequenceNumber"] == 2
    blob = await storage.get_object(
        storage.settings.originals_bucket, original_key("demo", image_id)
    )
    assert blob is not None and blob.body == data and blob.content_type == "image/png"
    meta = OriginalMeta.from_metadata(blob.metadata)
    assert (meta.width, meta.height, meta.format, meta.pack, meta.location, meta.region) == (
        64,
        48,
        "png",
        pack["id"],
        "main",
        None,
    )
    assert meta.uploaded == clock.now()
    stored = events.read(kinds=["original_stored"])[-1].data
    assert stored == {
        "tenant": "demo",
        "pack": pack["id"],
        "location": "main",
        "region": None,
        "imageId": image_id,
        "bytes": len(data),
    }
    download = await origin_client.get(f"/adminAPI/image/{image_id}", headers=admin_headers)
    assert download.status == 200
    assert download.headers["Content-Type"] == "image/png"
    assert await download.read() == data


@pytest.mark.parametrize(
    ("fmt", "content_type"), [("JPEG", "image/jpeg"), ("WEBP", "image/webp"), ("GIF", "image/gif")]
)
async def test_upload_accepts_jpeg_webp_and_gif(origin_client, admin_headers, fmt, content_type):
    pack = await create_pack(origin_client, admin_headers)
    data = png_bytes((20, 10), fmt=fmt)
    response = await upload(origin_client, admin_headers, pack["id"], "main", data)
    assert response.status == 200
    image_id = (await response.json())["imageLocations"]["main"]["imageId"]
    download = await origin_client.get(f"/adminAPI/image/{image_id}", headers=admin_headers)
    assert download.headers["Content-Type"] == content_type
    with Image.open(io.BytesIO(await download.read())) as image:
        assert image.format == fmt and image.size == (20, 10)


async def test_reupload_gets_a_new_image_id_and_deletes_the_replaced_original(
    origin_client, admin_headers, storage, events
):
    pack = await create_pack(origin_client, admin_headers)
    first = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    ).json()
    second = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes((5, 5)))
    ).json()
    old_id = first["imageLocations"]["main"]["imageId"]
    new_id = second["imageLocations"]["main"]["imageId"]
    assert old_id != new_id
    assert not await original_exists(storage, "demo", old_id)
    assert await stored_originals(storage) == [original_key("demo", new_id)]
    assert events.read(kinds=["original_deleted"])[-1].data["imageId"] == old_id
    response = await origin_client.get(f"/adminAPI/image/{old_id}", headers=admin_headers)
    await assert_error(response, 404, "image_not_found")


async def test_upload_for_a_region_stores_a_region_specific_original(
    origin_client, admin_headers, storage
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    response = await upload(
        origin_client, admin_headers, pack["id"], "main", png_bytes((7, 7)), region="nordic"
    )
    assert response.status == 200
    main = (await response.json())["imageLocations"]["main"]
    region_id = main["regions"]["nordic"]["imageId"]
    assert region_id != main["imageId"]
    blob = await storage.get_object(
        storage.settings.originals_bucket, original_key("demo", region_id)
    )
    assert blob is not None and OriginalMeta.from_metadata(blob.metadata).region == "nordic"


async def test_upload_for_an_unknown_region_is_400_and_stores_nothing(
    origin_client, admin_headers, storage
):
    pack = await create_pack(origin_client, admin_headers)
    for region in ("atlantis", "../x"):
        response = await upload(
            origin_client, admin_headers, pack["id"], "main", png_bytes(), region=region
        )
        await assert_error(response, 400, "unknown_region")
    assert await stored_originals(storage) == []


UNACCEPTABLE = {
    "text": (lambda: b"this is not an image at all", "not_an_image"),
    "empty": (lambda: b"", "not_an_image"),
    "truncated-png": (lambda: noisy("PNG")[:5000], "corrupt_image"),
    "truncated-jpeg": (lambda: noisy("JPEG")[:3000], "corrupt_image"),
    "cut-before-end": (lambda: png_bytes()[:-20], "corrupt_image"),
    "bomb": (one_bit_bomb, "decompression_bomb"),
    "huge-header": (lambda: png_declaring(30_000, 30_000), "decompression_bomb"),
    "giant-header": (lambda: png_declaring(100_000, 100_000), "decompression_bomb"),
    "bmp": (lambda: png_bytes(fmt="BMP"), "not_an_image"),
    "tiff": (lambda: png_bytes(fmt="TIFF"), "not_an_image"),
}


async def test_unacceptable_uploads_are_422_and_nothing_is_stored(
    origin_client, admin_headers, storage, events
):
    pack = await create_pack(origin_client, admin_headers)
    for name, (make, code) in UNACCEPTABLE.items():
        response = await upload(origin_client, admin_headers, pack["id"], "main", make())
        body = await assert_error(response, 422)
        assert body["code"] == code, (name, body)
    assert await stored_originals(storage) == []
    stored = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert stored == pack
    assert events.read(kinds=["original_stored"]) == []


async def test_a_lower_pixel_limit_from_settings_is_enforced(
    aiohttp_client, origin_settings, clock, events, storage
):
    settings = replace(origin_settings, max_image_pixels=100 * 100)
    client = await start_origin(aiohttp_client, settings, clock, events, storage)
    headers = token_for("demo")
    pack = await create_pack(client, headers)
    await assert_error(
        await upload(client, headers, pack["id"], "main", png_bytes((101, 100))),
        422,
        "decompression_bomb",
    )
    assert (await upload(client, headers, pack["id"], "main", png_bytes((100, 100)))).status == 200


async def test_pillows_own_bomb_threshold_holds_even_when_settings_allow_more(
    aiohttp_client, origin_settings, clock, events, storage
):
    # 100 MP is above Pillow's MAX_IMAGE_PIXELS (where it only warns): refused all the same.
    settings = replace(origin_settings, max_image_pixels=500_000_000)
    client = await start_origin(aiohttp_client, settings, clock, events, storage)
    headers = token_for("demo")
    pack = await create_pack(client, headers)
    response = await upload(client, headers, pack["id"], "main", png_declaring(10_000, 10_000))
    await assert_error(response, 422, "decompression_bomb")
    assert await stored_originals(storage) == []


async def test_uploads_over_the_limit_are_413_by_length_or_while_streaming(
    aiohttp_client, origin_settings, clock, events, storage
):
    settings = replace(origin_settings, max_upload_bytes=4096)
    client = await start_origin(aiohttp_client, settings, clock, events, storage)
    headers = token_for("demo")
    pack = await create_pack(client, headers)
    big = noisy("PNG", (64, 64))
    assert len(big) > 4096
    # With a Content-Length far over the limit: refused before reading.
    huge = noisy("PNG", (300, 300))
    await assert_error(await upload(client, headers, pack["id"], "main", huge), 413)
    # Only the file part is over the limit: counted while reading.
    await assert_error(await upload(client, headers, pack["id"], "main", big), 413)

    # No Content-Length at all (chunked): counted while reading.
    async def chunks():  # type: ignore[no-untyped-def]
        boundary = b"XbOuNdArY"
        yield (
            b"--"
            + boundary
            + b'\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n\r\n'
        )
        for start in range(0, len(huge), 1024):
            yield huge[start : start + 1024]
        yield b"\r\n--" + boundary + b"--\r\n"

    response = await client.post(
        f"/adminAPI/imagePack/{pack['id']}/main/upload",
        data=chunks(),
        headers={**headers, "Content-Type": "multipart/form-data; boundary=XbOuNdArY"},
    )
    await assert_error(response, 413)
    assert await stored_originals(storage) == []
    small = png_bytes((8, 8))
    assert (await upload(client, headers, pack["id"], "main", small)).status == 200


async def test_upload_refuses_bodies_that_are_not_multipart_with_a_file(
    origin_client, admin_headers, storage
):
    pack = await create_pack(origin_client, admin_headers)
    url = f"/adminAPI/imagePack/{pack['id']}/main/upload"
    raw = {**admin_headers, "Content-Type": "image/png"}
    await assert_error(
        await origin_client.post(url, data=png_bytes(), headers=raw), 400, "bad_upload"
    )
    wrong_field = multipart(png_bytes(), field="image")
    await assert_error(
        await origin_client.post(url, data=wrong_field, headers=admin_headers), 400, "bad_upload"
    )
    no_boundary = {**admin_headers, "Content-Type": "multipart/form-data"}
    await assert_error(
        await origin_client.post(url, data=b"--x\r\n", headers=no_boundary), 400, "bad_upload"
    )
    assert await stored_originals(storage) == []


async def test_upload_to_an_unknown_pack_or_a_bad_location_is_404(
    origin_client, admin_headers, storage
):
    pack = await create_pack(origin_client, admin_headers)
    theirs = await create_pack(origin_client, {**admin_headers, **OTHER_HOST})
    for pack_id, location in (
        (UNKNOWN_ID, "main"),
        (theirs["id"], "main"),
        (pack["id"], "..%2Fx"),
        ("..%2F..", "main"),
    ):
        response = await upload(origin_client, admin_headers, pack_id, location, png_bytes())
        await assert_error(response, 404)
    assert await stored_originals(storage) == []


async def test_download_reaches_only_the_request_tenants_originals(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    uploaded = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    ).json()
    image_id = uploaded["imageLocations"]["main"]["imageId"]
    other = {**admin_headers, **OTHER_HOST}
    await assert_error(
        await origin_client.get(f"/adminAPI/image/{image_id}", headers=other),
        404,
        "image_not_found",
    )
    for path in (
        f"/adminAPI/image/{UNKNOWN_ID}",
        f"/adminAPI/image/..%2Fdemo%2F{image_id}",
        f"/adminAPI/image/demo%2F{image_id}",
        "/adminAPI/image/..",
        f"/adminAPI/image/{image_id.upper()}",
    ):
        await assert_error(await origin_client.get(path, headers=other), 404)


@pytest.mark.parametrize(
    ("host", "patterns", "allowed"),
    [
        ("127.0.0.1", ("127.0.0.1",), True),
        ("Images.Example.com", ("images.example.com",), True),
        ("a.cdn.example.com", ("*.example.com",), True),
        ("example.com", ("*.example.com",), False),
        ("evilexample.com", ("*.example.com",), False),
        ("example.com.evil.net", ("example.com",), False),
        ("127.0.0.1", (), False),
    ],
)
def test_fetch_host_allow_list_matches_exact_hosts_and_star_suffixes(host, patterns, allowed):
    assert host_allowed(host, patterns) is allowed


# -- fetchImage -----------------------------------------------------------------------
@pytest.fixture
async def image_source(aiohttp_server):  # type: ignore[no-untyped-def]
    """A second HTTP server on 127.0.0.1 that plays every kind of image source."""
    image = png_bytes((33, 22))
    never = asyncio.Event()

    async def redirect(request: web.Request) -> web.Response:
        raise web.HTTPFound(request.query["to"])

    async def hang(request: web.Request) -> web.Response:
        await never.wait()  # the fetch deadline must end this, not us
        return web.Response()

    async def chunked_big(request: web.Request) -> web.StreamResponse:
        response = web.StreamResponse()
        response.enable_chunked_encoding()
        await response.prepare(request)
        for _ in range(64):
            await response.write(b"\x00" * 1024)
        return response

    app = web.Application()
    app.router.add_get("/image.png", lambda r: web.Response(body=image, content_type="image/png"))
    app.router.add_get("/text", lambda r: web.Response(text="hello"))
    app.router.add_get("/big", lambda r: web.Response(body=b"\x00" * 64 * 1024))
    app.router.add_get("/chunked-big", chunked_big)
    app.router.add_get("/redirect", redirect)
    app.router.add_get("/loop", lambda r: web.HTTPFound("/loop"))
    app.router.add_get("/hang", hang)
    server = await aiohttp_server(app)
    yield {"base": f"http://127.0.0.1:{server.port}", "image": image, "port": server.port}
    never.set()


@pytest.fixture
async def fetch_client(aiohttp_client, origin_settings, clock, events, storage):  # type: ignore[no-untyped-def]
    settings = replace(
        origin_settings,
        fetch_allowed_hosts=("127.0.0.1",),
        max_upload_bytes=16 * 1024,
        fetch_timeout=0.5,
    )
    return await start_origin(aiohttp_client, settings, clock, events, storage)


async def fetch(client, headers, pack_id: str, url: str, **params: str):  # type: ignore[no-untyped-def]
    return await client.post(
        f"/adminAPI/imagePack/{pack_id}/main/fetchImage",
        params={"imageUrl": url, **params},
        headers=headers,
    )


async def test_fetch_image_stores_the_fetched_original(
    fetch_client, admin_headers, image_source, storage
):
    pack = await create_pack(fetch_client, admin_headers)
    response = await fetch(
        fetch_client, admin_headers, pack["id"], image_source["base"] + "/image.png"
    )
    assert response.status == 200, await response.text()
    image_id = (await response.json())["imageLocations"]["main"]["imageId"]
    download = await fetch_client.get(f"/adminAPI/image/{image_id}", headers=admin_headers)
    assert await download.read() == image_source["image"]


async def test_fetch_image_follows_redirects_within_allowed_hosts(
    fetch_client, admin_headers, image_source, storage
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(fetch_client, admin_headers)
    url = image_source["base"] + "/redirect?to=" + image_source["base"] + "/image.png"
    response = await fetch(fetch_client, admin_headers, pack["id"], url, region="nordic")
    assert response.status == 200, await response.text()
    assert "imageId" in (await response.json())["imageLocations"]["main"]["regions"]["nordic"]


FETCH_FAILURES = {
    "/text": "not_an_image",
    "/big": "fetch_too_large",
    "/chunked-big": "fetch_too_large",
    "/missing": "fetch_failed",
    "/loop": "fetch_failed",
    "/hang": "fetch_failed",  # the fetch deadline
    "/redirect?to=http://localhost:9/image.png": "fetch_refused",
    "/redirect?to=ftp://127.0.0.1/image.png": "fetch_refused",
}


async def test_fetch_image_failures_are_422_and_store_nothing(
    fetch_client, admin_headers, image_source, storage
):
    pack = await create_pack(fetch_client, admin_headers)
    for path, code in FETCH_FAILURES.items():
        response = await fetch(fetch_client, admin_headers, pack["id"], image_source["base"] + path)
        body = await assert_error(response, 422)
        assert body["code"] == code, (path, body)
    assert await stored_originals(storage) == []
    stored = await (
        await fetch_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert stored == pack


async def test_fetch_image_refuses_hosts_and_schemes_configuration_does_not_allow(
    fetch_client, admin_headers, image_source, unused_tcp_port
):
    pack = await create_pack(fetch_client, admin_headers)
    port = image_source["port"]
    for url in (
        f"http://localhost:{port}/image.png",
        "file:///etc/passwd",
        f"ftp://127.0.0.1:{port}/image.png",
        "not a url",
        "/image.png",
        f"http://user@127.0.0.2:{port}/image.png",
    ):
        await assert_error(
            await fetch(fetch_client, admin_headers, pack["id"], url), 422, "fetch_refused"
        )
    unreachable = f"http://127.0.0.1:{unused_tcp_port}/image.png"
    await assert_error(
        await fetch(fetch_client, admin_headers, pack["id"], unreachable), 422, "fetch_failed"
    )


async def test_fetch_image_allows_nothing_by_default(origin_client, admin_headers, image_source):
    pack = await create_pack(origin_client, admin_headers)
    response = await fetch(
        origin_client, admin_headers, pack["id"], image_source["base"] + "/image.png"
    )
    await assert_error(response, 422, "fetch_refused")


async def test_fetch_image_needs_an_image_url_and_a_known_pack(
    fetch_client, admin_headers, image_source
):
    pack = await create_pack(fetch_client, admin_headers)
    response = await fetch_client.post(
        f"/adminAPI/imagePack/{pack['id']}/main/fetchImage", headers=admin_headers
    )
    await assert_error(response, 400)
    response = await fetch(
        fetch_client, admin_headers, UNKNOWN_ID, image_source["base"] + "/image.png"
    )
    await assert_error(response, 404)
    response = await fetch(
        fetch_client, admin_headers, pack["id"], image_source["base"] + "/image.png", region="mars"
    )
    await assert_error(response, 400, "unknown_region")
