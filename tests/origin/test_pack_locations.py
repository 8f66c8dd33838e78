"""A pack's location settings over HTTP: overrides, region overrides, deleteImageLocation."""

from __future__ import annotations

from tests.conftest import png_bytes
from tests.origin.pack_fixtures import (
    OTHER_HOST,
    add_region,
    assert_error,
    create_pack,
    original_exists,
    upload,
)

UNKNOWN_ID = "0123456789abcdef01234567"
CROP = {"topLeftX": 0.1, "topLeftY": 0.2, "bottomRightX": 0.9, "bottomRightY": 0.8}


async def test_put_location_creates_the_entry_and_get_answers_it(
    origin_client, admin_headers, events
):
    pack = await create_pack(origin_client, admin_headers)
    body = {"cropInfo": CROP, "resizeGravity": "north", "useResizeIncludeAll": "TRUE"}
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}/thumb", json=body, headers=admin_headers
    )
    assert response.status == 200
    updated = await response.json()
    assert updated["imageLocations"]["thumb"] == body
    assert updated["sequenceNumber"] == 2
    assert events.read(kinds=["image_pack_updated"])[-1].data["sequenceNumber"] == 2
    response = await origin_client.get(
        f"/adminAPI/imagePack/{pack['id']}/thumb", headers=admin_headers
    )
    assert response.status == 200
    assert await response.json() == body


async def test_put_empty_overrides_clears_them_but_keeps_the_original(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    uploaded = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    ).json()
    image_id = uploaded["imageLocations"]["main"]["imageId"]
    url = f"/adminAPI/imagePack/{pack['id']}/main"
    await origin_client.put(
        url, json={"cropInfo": CROP, "resizeGravity": "east"}, headers=admin_headers
    )
    response = await origin_client.put(url, json={}, headers=admin_headers)
    assert response.status == 200
    assert (await response.json())["imageLocations"]["main"] == {"imageId": image_id}


async def test_get_location_is_404_for_unknown_pack_absent_location_or_bad_name(
    origin_client, admin_headers
):
    pack = await create_pack(origin_client, admin_headers)
    for path in (
        f"/adminAPI/imagePack/{UNKNOWN_ID}/main",
        f"/adminAPI/imagePack/{pack['id']}/main",
        f"/adminAPI/imagePack/{pack['id']}/..%2E",
        f"/adminAPI/imagePack/{pack['id']}/%2E%2E%2Fx",
        "/adminAPI/imagePack/..%2F..%2Fdemo/main",
    ):
        await assert_error(await origin_client.get(path, headers=admin_headers), 404)


async def test_put_location_is_404_for_an_unknown_pack_or_a_bad_location_name(
    origin_client, admin_headers
):
    pack = await create_pack(origin_client, admin_headers)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{UNKNOWN_ID}/main", json={}, headers=admin_headers
    )
    await assert_error(response, 404, "pack_not_found")
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}/-bad", json={}, headers=admin_headers
    )
    await assert_error(response, 404, "location_not_found")


async def test_a_pack_of_another_tenant_is_not_reachable(origin_client, admin_headers):
    theirs = await create_pack(origin_client, {**admin_headers, **OTHER_HOST})
    response = await origin_client.put(
        f"/adminAPI/imagePack/{theirs['id']}/main", json={}, headers=admin_headers
    )
    await assert_error(response, 404)
    stored = await (
        await origin_client.get(
            f"/adminAPI/imagePack/{theirs['id']}", headers={**admin_headers, **OTHER_HOST}
        )
    ).json()
    assert stored["sequenceNumber"] == 1


BAD_OVERRIDES = [
    {"cropInfo": {"topLeftX": 0.5, "topLeftY": 0, "bottomRightX": 0.4, "bottomRightY": 1}},
    {"cropInfo": {"topLeftX": -0.1, "topLeftY": 0, "bottomRightX": 1, "bottomRightY": 1}},
    {"cropInfo": "all"},
    {"resizeGravity": "up"},
    {"useResizeIncludeAll": True},
    {"regions": ["nordic"]},
    {"regions": {"no/pe": {}}},
    {"regions": {"unconfigured": {}}},
    {"sequenceNumber": 1.5},
]


async def test_put_location_refuses_invalid_overrides_with_400(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    for body in BAD_OVERRIDES:
        response = await origin_client.put(
            f"/adminAPI/imagePack/{pack['id']}/main", json=body, headers=admin_headers
        )
        await assert_error(response, 400)
    response = await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    assert await response.json() == pack


async def test_put_location_refuses_malformed_json_and_non_objects(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    url = f"/adminAPI/imagePack/{pack['id']}/main"
    headers = {**admin_headers, "Content-Type": "application/json"}
    await assert_error(
        await origin_client.put(url, data='{"cropInfo": ', headers=headers), 400, "malformed_json"
    )
    await assert_error(
        await origin_client.put(url, data="[]", headers=headers), 400, "malformed_json"
    )
    await assert_error(
        await origin_client.put(url, data="x" * (1024 * 1024 + 1), headers=headers), 413
    )


async def test_put_location_honours_a_sequence_number(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    url = f"/adminAPI/imagePack/{pack['id']}/main"
    response = await origin_client.put(
        url, json={"resizeGravity": "west", "sequenceNumber": 1}, headers=admin_headers
    )
    assert response.status == 200
    response = await origin_client.put(
        url, json={"resizeGravity": "east", "sequenceNumber": 1}, headers=admin_headers
    )
    await assert_error(response, 409, "stale_sequence_number")
    assert (await (await origin_client.get(url, headers=admin_headers)).json()) == {
        "resizeGravity": "west"
    }


# -- region-specific overrides ---------------------------------------------------------
async def test_put_region_overrides_of_a_configured_region(origin_client, admin_headers, storage):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}/main/nordic",
        json={"cropInfo": CROP},
        headers=admin_headers,
    )
    assert response.status == 200
    updated = await response.json()
    assert updated["imageLocations"]["main"] == {"regions": {"nordic": {"cropInfo": CROP}}}
    # The location's own overrides can then be set without losing the region's.
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}/main",
        json={"resizeGravity": "south"},
        headers=admin_headers,
    )
    assert (await response.json())["imageLocations"]["main"] == {
        "resizeGravity": "south",
        "regions": {"nordic": {"cropInfo": CROP}},
    }


async def test_put_region_overrides_clear_with_an_empty_body_and_keep_the_regions_original(
    origin_client, admin_headers, storage
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    uploaded = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes(), region="nordic")
    ).json()
    image_id = uploaded["imageLocations"]["main"]["regions"]["nordic"]["imageId"]
    url = f"/adminAPI/imagePack/{pack['id']}/main/nordic"
    await origin_client.put(url, json={"cropInfo": CROP}, headers=admin_headers)
    response = await origin_client.put(url, json={}, headers=admin_headers)
    assert (await response.json())["imageLocations"]["main"]["regions"]["nordic"] == {
        "imageId": image_id
    }


async def test_put_region_refuses_an_unknown_region_with_400(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    for region in ("atlantis", "bad.region.", "x" * 80):
        response = await origin_client.put(
            f"/adminAPI/imagePack/{pack['id']}/main/{region}",
            json={"cropInfo": CROP},
            headers=admin_headers,
        )
        await assert_error(response, 400, "unknown_region")


async def test_put_region_refuses_bad_bodies_and_unknown_packs(
    origin_client, admin_headers, storage
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    url = f"/adminAPI/imagePack/{pack['id']}/main/nordic"
    await assert_error(
        await origin_client.put(url, json={"cropInfo": {"topLeftX": 3}}, headers=admin_headers), 400
    )
    await assert_error(await origin_client.put(url, json=[1], headers=admin_headers), 400)
    stale = {"cropInfo": CROP, "sequenceNumber": 7}
    await assert_error(await origin_client.put(url, json=stale, headers=admin_headers), 409)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{UNKNOWN_ID}/main/nordic", json={}, headers=admin_headers
    )
    await assert_error(response, 404)


# -- deleteImageLocation ----------------------------------------------------------------
async def test_delete_image_location_drops_the_entry_and_its_originals(
    origin_client, admin_headers, storage, events
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    await upload(origin_client, admin_headers, pack["id"], "thumb", png_bytes())
    before = await (
        await upload(
            origin_client, admin_headers, pack["id"], "main", png_bytes((9, 9)), region="nordic"
        )
    ).json()
    main = before["imageLocations"]["main"]
    dropped = [main["imageId"], main["regions"]["nordic"]["imageId"]]
    kept = before["imageLocations"]["thumb"]["imageId"]
    response = await origin_client.post(
        f"/adminAPI/imagePack/{pack['id']}/deleteImageLocation",
        json={"imageLocationName": "main"},
        headers=admin_headers,
    )
    assert response.status == 200
    after = await response.json()
    assert set(after["imageLocations"]) == {"thumb"}
    assert after["sequenceNumber"] == before["sequenceNumber"] + 1
    for image_id in dropped:
        assert not await original_exists(storage, "demo", image_id)
    assert await original_exists(storage, "demo", kept)
    deleted = {e.data["imageId"] for e in events.read(kinds=["original_deleted"])}
    assert deleted == set(dropped)
    await assert_error(
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}/main", headers=admin_headers),
        404,
    )


async def test_delete_image_location_refusals(origin_client, admin_headers):
    pack = await create_pack(
        origin_client, admin_headers, {"imageLocations": {"main": {"resizeGravity": "west"}}}
    )
    url = f"/adminAPI/imagePack/{pack['id']}/deleteImageLocation"
    absent = await origin_client.post(
        url, json={"imageLocationName": "thumb"}, headers=admin_headers
    )
    await assert_error(absent, 404, "location_not_found")
    for body in ({}, {"imageLocationName": "../main"}, {"imageLocationName": 3}):
        await assert_error(await origin_client.post(url, json=body, headers=admin_headers), 400)
    headers = {**admin_headers, "Content-Type": "application/json"}
    await assert_error(
        await origin_client.post(url, data="{", headers=headers), 400, "malformed_json"
    )
    stale = {"imageLocationName": "main", "sequenceNumber": 5}
    await assert_error(await origin_client.post(url, json=stale, headers=admin_headers), 409)
    unknown = f"/adminAPI/imagePack/{UNKNOWN_ID}/deleteImageLocation"
    await assert_error(
        await origin_client.post(
            unknown, json={"imageLocationName": "main"}, headers=admin_headers
        ),
        404,
    )
    stored = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert stored == pack
