"""Fallback over HTTP: the fallback chain, then the pack's main location, at the requested location's box."""

from __future__ import annotations

from tests.origin.serving.fixtures import (
    BLUE,
    GREEN,
    PACK,
    RED,
    TENANT,
    ImagePack,
    LocationConfig,
    PackLocation,
    Region,
    RegionImage,
    close_to,
    decode,
    image_bytes,
    image_id,
    put_config,
    put_original,
    put_pack,
    put_region,
)

URL = f"/api/v2/img/{PACK}"


async def configs(storage) -> None:  # type: ignore[no-untyped-def]
    await put_config(storage, LocationConfig("main", width=300, height=300))
    await put_config(storage, LocationConfig("thumb", width=64, height=36, fallback="poster"))
    await put_config(storage, LocationConfig("poster", width=100, height=150, fallback="banner"))
    await put_config(storage, LocationConfig("banner", width=500, height=100))


async def test_a_fallback_serves_the_fallback_locations_image_at_the_requested_locations_size(
    origin_client, storage
):
    await configs(storage)
    await put_original(storage, image_id(1), image_bytes((400, 300), RED))
    await put_original(storage, image_id(2), image_bytes((120, 180), BLUE), location="poster")
    locations = {"main": PackLocation(image_id(1)), "poster": PackLocation(image_id(2))}
    await put_pack(storage, ImagePack(PACK, TENANT, image_locations=locations))
    resp = await origin_client.get(f"{URL}?location=thumb")
    assert resp.status == 200
    assert resp.headers["X-Image-Location"] == "poster"
    image = decode(await resp.read()).convert("RGB")
    assert image.size == (64, 36)  # thumb's box, not poster's 100x150
    assert close_to(image.getpixel((32, 18)), BLUE)


async def test_the_chain_is_followed_past_locations_without_an_image(origin_client, storage):
    await configs(storage)
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_original(storage, image_id(3), image_bytes((50, 50), GREEN), location="banner")
    locations = {
        "main": PackLocation(image_id(1)),
        "banner": PackLocation(image_id(3)),
        "poster": PackLocation(),
    }
    await put_pack(storage, ImagePack(PACK, TENANT, image_locations=locations))
    resp = await origin_client.get(f"{URL}?location=thumb")
    assert resp.headers["X-Image-Location"] == "banner"
    assert close_to(decode(await resp.read()).convert("RGB").getpixel((5, 5)), GREEN)


async def test_after_the_chain_the_packs_main_location_answers(origin_client, storage):
    await configs(storage)
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )
    resp = await origin_client.get(f"{URL}?location=thumb")
    assert resp.headers["X-Image-Location"] == "main"
    image = decode(await resp.read()).convert("RGB")
    assert image.size == (64, 36) and close_to(image.getpixel((5, 5)), RED)


async def test_a_region_image_at_a_fallback_location_is_used_for_that_region(
    origin_client, storage
):
    await configs(storage)
    await put_region(storage, Region("nordic"))
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_original(
        storage, image_id(4), image_bytes((50, 50), BLUE), location="poster", region="nordic"
    )
    locations = {
        "main": PackLocation(image_id(1)),
        "poster": PackLocation(regions={"nordic": RegionImage(image_id(4))}),
    }
    await put_pack(storage, ImagePack(PACK, TENANT, image_locations=locations))
    nordic = await origin_client.get(f"{URL}?location=thumb&region=nordic")
    assert (nordic.headers["X-Image-Location"], nordic.headers["X-Image-Region"]) == (
        "poster",
        "nordic",
    )
    assert close_to(decode(await nordic.read()).convert("RGB").getpixel((5, 5)), BLUE)
    anywhere = await origin_client.get(f"{URL}?location=thumb")
    assert anywhere.headers["X-Image-Location"] == "main"


async def test_no_image_after_the_chain_and_the_main_location_is_404(origin_client, storage):
    await configs(storage)
    await put_pack(storage, ImagePack(PACK, TENANT, image_locations={"poster": PackLocation()}))
    resp = await origin_client.get(f"{URL}?location=thumb")
    assert resp.status == 404
    body = await resp.json()
    assert body["code"] == "image_not_found" and body["status"] == 404 and body["message"]


async def test_a_looping_chain_in_storage_ends_instead_of_hanging(origin_client, storage):
    # Config writes refuse cycles; one written behind the admin API's back must still not hang.
    await put_config(storage, LocationConfig("a", width=10, height=10, fallback="b"))
    await put_config(storage, LocationConfig("b", width=10, height=10, fallback="a"))
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )
    resp = await origin_client.get(f"{URL}?location=a")
    assert resp.status == 200 and resp.headers["X-Image-Location"] == "main"


async def test_the_requested_locations_mode_applies_to_a_fallback_image(origin_client, storage):
    await put_config(storage, LocationConfig("main", width=50, height=50))
    await put_config(
        storage, LocationConfig("wide", width=100, height=50, use_resize_include_all="TRUE")
    )
    await put_original(storage, image_id(1), image_bytes((50, 50), RED))
    await put_pack(
        storage, ImagePack(PACK, TENANT, image_locations={"main": PackLocation(image_id(1))})
    )
    resp = await origin_client.get(f"{URL}?location=wide&resize-mode=crop")
    image = decode(await resp.read()).convert("RGBA")
    assert image.size == (100, 50)
    assert image.getpixel((5, 25))[3] == 0  # padded: wide forces includeAll over the client's crop
    assert close_to(image.getpixel((50, 25)), (*RED, 255))
