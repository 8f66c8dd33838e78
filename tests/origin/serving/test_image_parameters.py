"""GET /api/v2/img/{imagePackId} over HTTP: every parameter, checked by decoding the image."""

from __future__ import annotations

import io

from PIL import Image

from common.clock import MANUAL_EPOCH
from tests.origin.serving.fixtures import (
    BLUE,
    PACK,
    RED,
    TENANT,
    CropInfo,
    ImagePack,
    LocationConfig,
    PackLocation,
    close_to,
    decode,
    image_bytes,
    image_id,
    put_config,
    put_original,
    put_pack,
    simple_pack,
    split_image,
)

URL = f"/api/v2/img/{PACK}"


async def split_pack(storage, crop: CropInfo | None = None, fmt: str = "PNG") -> None:  # type: ignore[no-untyped-def]
    await put_config(storage, LocationConfig("main", width=100, height=50))
    await put_original(storage, image_id(1), split_image(fmt=fmt))
    await put_pack(
        storage,
        ImagePack(
            PACK, TENANT, image_locations={"main": PackLocation(image_id(1), crop_info=crop)}
        ),
    )


async def get_image(client, query: str = "", **kwargs):  # type: ignore[no-untyped-def]
    resp = await client.get(f"{URL}?{query}" if query else URL, **kwargs)
    assert resp.status == 200, await resp.text()
    return resp, decode(await resp.read())


async def test_a_response_carries_type_cache_control_strong_etag_last_modified_and_location(
    origin_client, storage
):
    await put_config(storage, LocationConfig("main", width=100, height=50))
    await put_original(storage, image_id(1), image_bytes((200, 100)), uploaded=MANUAL_EPOCH + 3600)
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )
    resp, image = await get_image(origin_client)
    assert resp.headers["Content-Type"] == "image/png" and image.format == "PNG"
    assert resp.headers["Cache-Control"] == "public, max-age=86400"
    etag = resp.headers["ETag"]
    assert etag.startswith('"') and etag.endswith('"') and len(etag) > 10
    assert resp.headers["Last-Modified"] == "Thu, 01 Jan 2026 01:00:00 GMT"
    assert resp.headers["X-Image-Location"] == "main"
    assert image.size == (100, 50)


async def test_without_parameters_the_main_location_config_gives_the_box(origin_client, storage):
    await simple_pack(storage, config=LocationConfig("main", width=40, height=30))
    _, image = await get_image(origin_client)
    assert image.size == (40, 30)


async def test_the_default_location_is_the_packs_main_image_location(origin_client, storage):
    await put_config(storage, LocationConfig("poster", width=30, height=60))
    await put_original(storage, image_id(1), image_bytes((100, 100), BLUE), location="poster")
    pack = ImagePack(
        PACK,
        TENANT,
        main_image_location="poster",
        image_locations={"poster": PackLocation(image_id(1))},
    )
    await put_pack(storage, pack)
    resp, image = await get_image(origin_client)
    assert image.size == (30, 60) and resp.headers["X-Image-Location"] == "poster"


async def test_location_selects_that_locations_config_box(origin_client, storage):
    await simple_pack(storage)
    await put_config(storage, LocationConfig("thumb", width=20, height=20))
    await storage.put_item(
        "packs",
        ImagePack(
            PACK,
            TENANT,
            image_locations={"main": PackLocation(image_id(1)), "thumb": PackLocation(image_id(1))},
        ).to_item(),
    )
    resp, image = await get_image(origin_client, "location=thumb")
    assert image.size == (20, 20) and resp.headers["X-Image-Location"] == "thumb"


async def test_width_and_height_override_the_location_box_and_upscale(origin_client, storage):
    await simple_pack(storage, size=(200, 100))
    _, image = await get_image(origin_client, "width=640&height=480")
    assert image.size == (640, 480)


async def test_one_size_follows_the_source_aspect(origin_client, storage):
    await simple_pack(storage, size=(200, 100))
    _, image = await get_image(origin_client, "width=60")
    assert image.size == (60, 30)
    _, image = await get_image(origin_client, "height=60")
    assert image.size == (120, 60)


async def test_location_ratio_takes_the_other_size_from_the_location_config(origin_client, storage):
    await simple_pack(storage, size=(100, 100), config=LocationConfig("main", width=100, height=50))
    _, image = await get_image(origin_client, "width=80&location-ratio=true")
    assert image.size == (80, 40)
    _, image = await get_image(origin_client, "width=80&location-ratio=false")
    assert image.size == (80, 80)


async def test_crop_mode_anchors_at_the_resize_gravity(origin_client, storage):
    await split_pack(storage)
    _, west = await get_image(origin_client, "width=40&height=40&resize-gravity=west")
    _, east = await get_image(origin_client, "width=40&height=40&resize-gravity=east")
    assert west.size == east.size == (40, 40)
    assert close_to(west.convert("RGB").getpixel((20, 20)), RED)
    assert close_to(east.convert("RGB").getpixel((20, 20)), BLUE)


async def test_include_all_fits_the_whole_image_and_pads_with_transparency(origin_client, storage):
    await split_pack(storage)
    resp, image = await get_image(origin_client, "width=100&height=100&resize-mode=includeAll")
    assert image.size == (100, 100) and resp.headers["Content-Type"] == "image/png"
    rgba = image.convert("RGBA")
    assert rgba.getpixel((50, 5))[3] == 0  # padding above the 100x50 fitted image
    assert close_to(rgba.getpixel((10, 50)), (*RED, 255)) and close_to(
        rgba.getpixel((90, 50)), (*BLUE, 255)
    )


async def test_include_all_as_jpeg_flattens_the_padding_on_white(origin_client, storage):
    await split_pack(storage)
    resp, image = await get_image(
        origin_client, "width=100&height=100&resize-mode=includeAll&format=jpeg"
    )
    assert resp.headers["Content-Type"] == "image/jpeg" and image.format == "JPEG"
    assert close_to(image.convert("RGB").getpixel((50, 5)), (255, 255, 255), 10)


async def test_rounded_corners_are_transparent(origin_client, storage):
    await simple_pack(storage)
    resp, image = await get_image(origin_client, "rounded-corners=20")
    assert resp.headers["Content-Type"] == "image/png"
    rgba = image.convert("RGBA")
    assert rgba.getpixel((0, 0))[3] == 0 and rgba.getpixel((99, 49))[3] == 0
    assert close_to(rgba.getpixel((50, 25)), (*RED, 255))


async def test_crop_info_is_applied_first_unless_skip_crop(origin_client, storage):
    await split_pack(storage, crop=CropInfo(0.5, 0.0, 1.0, 1.0))  # the blue right half only
    _, cropped = await get_image(origin_client, "width=40&height=40")
    assert close_to(cropped.convert("RGB").getpixel((2, 20)), BLUE)
    _, whole = await get_image(origin_client, "width=80&height=40&skip-crop=true")
    assert close_to(whole.convert("RGB").getpixel((2, 20)), RED)
    assert close_to(whole.convert("RGB").getpixel((77, 20)), BLUE)


async def test_format_chooses_the_encoding_and_jpg_means_jpeg(origin_client, storage):
    await simple_pack(storage)
    for query, pil_format, content_type in [
        ("format=jpeg", "JPEG", "image/jpeg"),
        ("format=jpg", "JPEG", "image/jpeg"),
        ("format=png", "PNG", "image/png"),
        ("format=webp", "WEBP", "image/webp"),
    ]:
        resp, image = await get_image(origin_client, query)
        assert (image.format, resp.headers["Content-Type"]) == (pil_format, content_type), query
    jpg = await origin_client.get(f"{URL}?format=jpg")
    jpeg = await origin_client.get(f"{URL}?format=jpeg")
    assert jpg.headers["X-Variant-Key"] == jpeg.headers["X-Variant-Key"]


async def test_without_format_the_originals_format_is_kept(origin_client, storage):
    await simple_pack(storage, fmt="JPEG")
    resp, image = await get_image(origin_client)
    assert image.format == "JPEG" and resp.headers["Content-Type"] == "image/jpeg"


async def test_region_selects_the_region_specific_image(origin_client, storage):
    from tests.origin.serving.fixtures import Region, RegionImage, put_region

    await put_config(storage, LocationConfig("main", width=10, height=10))
    await put_region(storage, Region("nordic", countries=("NO", "SE")))
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_original(storage, image_id(2), image_bytes((50, 50), BLUE), region="nordic")
    regions = {"nordic": RegionImage(image_id(2))}
    await put_pack(
        storage,
        ImagePack(
            PACK, TENANT, image_locations={"main": PackLocation(image_id(1), regions=regions)}
        ),
    )
    resp, image = await get_image(origin_client, "region=nordic")
    assert close_to(image.convert("RGB").getpixel((5, 5)), BLUE)
    assert resp.headers["X-Image-Region"] == "nordic"
    resp, image = await get_image(origin_client)
    assert (
        close_to(image.convert("RGB").getpixel((5, 5)), RED)
        and "X-Image-Region" not in resp.headers
    )


async def test_a_region_without_its_own_image_gets_the_default_image(origin_client, storage):
    from tests.origin.serving.fixtures import Region, put_region

    await simple_pack(storage)
    await put_region(storage, Region("iberia", countries=("ES", "PT")))
    resp, image = await get_image(origin_client, "region=iberia")
    assert (
        close_to(image.convert("RGB").getpixel((5, 5)), RED)
        and resp.headers["X-Image-Location"] == "main"
    )
    plain = await origin_client.get(URL)
    assert plain.headers["X-Variant-Key"] == resp.headers["X-Variant-Key"]


async def test_the_tenant_comes_from_the_host(origin_client, storage):
    await simple_pack(storage, tenant="other")
    resp, image = await get_image(
        origin_client, headers={"Host": "other.image-service.dev.localhost"}
    )
    assert image.size == (100, 50)
    assert resp.headers["X-Variant-Key"].startswith(f"other/{PACK}/")
    elsewhere = await origin_client.get(URL)
    assert elsewhere.status == 404


async def test_a_sideways_stored_photo_is_sized_as_displayed(origin_client, storage):
    # Stored 200x100 with EXIF "rotate 90": displayed (and rendered) as 100x200 portrait.
    exif = Image.Exif()
    exif[0x0112] = 6
    out = io.BytesIO()
    Image.new("RGB", (200, 100), RED).save(out, "JPEG", exif=exif.tobytes())
    await put_config(storage, LocationConfig("main", width=100, height=50))
    await put_original(storage, image_id(1), out.getvalue())
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )
    _, image = await get_image(origin_client, "width=50")
    assert image.size == (50, 100)
