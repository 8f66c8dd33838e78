"""Image packs over HTTP: create, get, full-replace PUT, paging, copy between tenants, auth."""

from __future__ import annotations

import re
import time
from dataclasses import replace

import jwt
from boto3.dynamodb.types import TypeSerializer

from common.ids import IdGenerator
from origin.app_keys import BACKENDS
from origin.models.documents import ImagePack
from origin.models.image_packs import PackBackend
from origin.settings import DEV_JWT_SECRET, AuthSettings
from tests.conftest import png_bytes, token_for
from tests.origin.pack_fixtures import (
    OTHER_HOST,
    OTHER_TENANT,
    add_region,
    assert_error,
    create_pack,
    start_origin,
    upload,
)

ID = re.compile(r"^[0-9a-f]{24}$")
UNKNOWN_ID = "0123456789abcdef01234567"


async def test_create_without_body_returns_a_new_pack_at_sequence_number_1(
    origin_client, admin_headers, events
):
    response = await origin_client.post("/adminAPI/imagePacks", headers=admin_headers)
    assert response.status == 200
    pack = await response.json()
    assert ID.match(pack["id"])
    assert pack["tenant"] == "demo"
    assert pack["sequenceNumber"] == 1
    assert pack["mainImageLocation"] == "main"
    assert pack["created"] == pack["modified"] == "2026-01-01T00:00:00.000Z"
    assert "assetId" not in pack and "imageLocations" not in pack
    created = events.read(kinds=["image_pack_created"])
    assert [e.data for e in created] == [{"tenant": "demo", "id": pack["id"], "sequenceNumber": 1}]


async def test_create_with_body_stores_the_given_metadata(origin_client, admin_headers):
    body = {
        "assetId": "asset-42",
        "mainImageLocation": "thumb",
        "useResizeIncludeAll": "TRUE",
        "resizeGravity": "north",
        "imageLocations": {"thumb": {"resizeGravity": "south"}},
    }
    pack = await create_pack(origin_client, admin_headers, body)
    response = await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    assert response.status == 200
    stored = await response.json()
    assert stored == pack
    assert stored["assetId"] == "asset-42"
    assert stored["mainImageLocation"] == "thumb"
    assert stored["useResizeIncludeAll"] == "TRUE"
    assert stored["resizeGravity"] == "north"
    assert stored["imageLocations"] == {"thumb": {"resizeGravity": "south"}}


BAD_CREATE_BODIES = [
    ('{"resizeGravity": "up"}', "bad_request"),
    ('{"id": "0123456789abcdef01234567"}', "read_only"),
    ('{"assetId": null}', "bad_request"),
    ('{"sequenceNumber": -1}', "bad_request"),
    ('{"imageLocations": []}', "bad_request"),
    ("[1, 2]", "malformed_json"),
    ('{"assetId": ', "malformed_json"),
]


async def test_create_refuses_bad_bodies_and_stores_nothing(origin_client, admin_headers, storage):
    headers = {**admin_headers, "Content-Type": "application/json"}
    for raw, code in BAD_CREATE_BODIES:
        response = await origin_client.post("/adminAPI/imagePacks", data=raw, headers=headers)
        await assert_error(response, 400, code)
    assert await storage.query("packs", "demo") == []


async def test_create_never_overwrites_a_pack_when_two_generators_share_a_seed(
    storage, clock, events
):
    first = PackBackend(storage, clock, events, IdGenerator(5))
    second = PackBackend(storage, clock, events, IdGenerator(5))
    a = await first.create_image_pack("demo", {"assetId": "first"})
    b = await second.create_image_pack("demo", {"assetId": "second"})
    assert a.id != b.id
    assert (await first.get_image_pack("demo", a.id)).asset_id == "first"
    assert (await first.get_image_pack("demo", b.id)).asset_id == "second"


async def test_get_unknown_or_malformed_pack_is_404(origin_client, admin_headers):
    for pack_id in (UNKNOWN_ID, "not-an-id", "..%2F..%2Fdemo", "0123456789ABCDEF01234567"):
        response = await origin_client.get(f"/adminAPI/imagePack/{pack_id}", headers=admin_headers)
        await assert_error(response, 404)


async def test_put_replaces_metadata_and_clears_omitted_fields(
    origin_client, admin_headers, clock, events
):
    pack = await create_pack(
        origin_client,
        admin_headers,
        {"assetId": "a1", "resizeGravity": "east", "useResizeIncludeAll": "FALSE"},
    )
    await clock.advance(60)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}",
        json={"mainImageLocation": "hero"},
        headers=admin_headers,
    )
    assert response.status == 200
    updated = await response.json()
    assert updated["mainImageLocation"] == "hero"
    for cleared in ("assetId", "resizeGravity", "useResizeIncludeAll"):
        assert cleared not in updated
    assert updated["sequenceNumber"] == 2
    assert updated["created"] == pack["created"]
    assert updated["modified"] == "2026-01-01T00:01:00.000Z"
    stored = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert stored == updated
    assert events.read(kinds=["image_pack_updated"])[-1].data == {
        "tenant": "demo",
        "id": pack["id"],
        "sequenceNumber": 2,
    }


async def test_put_keeps_originals_but_clears_their_overrides(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    uploaded = await (
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    ).json()
    image_id = uploaded["imageLocations"]["main"]["imageId"]
    await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}/main",
        json={"cropInfo": {"topLeftX": 0, "topLeftY": 0, "bottomRightX": 0.5, "bottomRightY": 0.5}},
        headers=admin_headers,
    )
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}", json={}, headers=admin_headers
    )
    assert response.status == 200
    updated = await response.json()
    assert updated["imageLocations"] == {"main": {"imageId": image_id}}
    # An imageId in the body cannot re-point the location at another original.
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}",
        json={"imageLocations": {"main": {"imageId": UNKNOWN_ID, "resizeGravity": "west"}}},
        headers=admin_headers,
    )
    assert (await response.json())["imageLocations"]["main"] == {
        "imageId": image_id,
        "resizeGravity": "west",
    }


async def test_put_with_the_current_sequence_number_lands(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}",
        json={"assetId": "x", "sequenceNumber": 1},
        headers=admin_headers,
    )
    assert response.status == 200
    assert (await response.json())["sequenceNumber"] == 2


async def test_put_with_a_stale_sequence_number_is_409_and_changes_nothing(
    origin_client, admin_headers
):
    pack = await create_pack(origin_client, admin_headers, {"assetId": "keep"})
    url = f"/adminAPI/imagePack/{pack['id']}"
    await origin_client.put(url, json={"assetId": "second"}, headers=admin_headers)
    response = await origin_client.put(
        url, json={"assetId": "lost", "sequenceNumber": 1}, headers=admin_headers
    )
    await assert_error(response, 409, "stale_sequence_number")
    stored = await (await origin_client.get(url, headers=admin_headers)).json()
    assert stored["assetId"] == "second" and stored["sequenceNumber"] == 2


async def test_put_to_an_unknown_pack_is_404(origin_client, admin_headers):
    response = await origin_client.put(
        f"/adminAPI/imagePack/{UNKNOWN_ID}", json={}, headers=admin_headers
    )
    await assert_error(response, 404, "pack_not_found")


BAD_PACK_BODIES = [
    {"resizeGravity": "sideways"},
    {"useResizeIncludeAll": "MAYBE"},
    {"mainImageLocation": "../etc"},
    {"imageLocations": {"bad/name": {}}},
    {"imageLocations": {"main": {"cropInfo": {"topLeftX": 2}}}},
    {"imageLocations": {"main": {"regions": {"nowhere": {}}}}},
    {"sequenceNumber": -1},
    {"sequenceNumber": "1"},
    {"assetId": 7},
    {"id": UNKNOWN_ID},
]


async def test_put_refuses_invalid_bodies_with_400_and_keeps_the_pack(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers, {"assetId": "keep"})
    url = f"/adminAPI/imagePack/{pack['id']}"
    for body in BAD_PACK_BODIES:
        response = await origin_client.put(url, json=body, headers=admin_headers)
        await assert_error(response, 400)
    assert await (await origin_client.get(url, headers=admin_headers)).json() == pack


async def test_put_accepts_regions_that_are_configured(origin_client, admin_headers, storage):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    body = {"imageLocations": {"main": {"regions": {"nordic": {"cropInfo": {
        "topLeftX": 0.1, "topLeftY": 0.1, "bottomRightX": 0.9, "bottomRightY": 0.9}}}}}}  # fmt: skip
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack['id']}", json=body, headers=admin_headers
    )
    assert response.status == 200
    assert (await response.json())["imageLocations"]["main"]["regions"]["nordic"]["cropInfo"][
        "topLeftX"
    ] == 0.1


async def test_put_refuses_malformed_and_oversize_json(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    url = f"/adminAPI/imagePack/{pack['id']}"
    headers = {**admin_headers, "Content-Type": "application/json"}
    await assert_error(
        await origin_client.put(url, data="{not json", headers=headers), 400, "malformed_json"
    )
    await assert_error(
        await origin_client.put(url, data="", headers=headers), 400, "malformed_json"
    )
    huge = '{"assetId": "' + "x" * (1024 * 1024 + 10) + '"}'
    await assert_error(await origin_client.put(url, data=huge, headers=headers), 413)
    assert (await (await origin_client.get(url, headers=admin_headers)).json())[
        "sequenceNumber"
    ] == 1


async def test_list_pages_at_1000_ids_ordered_by_id(origin_client, admin_headers, storage):
    ids = [f"{n:024x}" for n in range(1001)]
    # Straight into the table, 25 per batch: 1001 HTTP creates would test nothing more.
    await storage.run(
        _batch_put, storage, [ImagePack(i, "demo", sequence_number=1).to_item() for i in ids]
    )
    first = await (await origin_client.get("/adminAPI/imagePacks", headers=admin_headers)).json()
    assert first["offset"] == 0 and first["total"] == 1001
    assert first["imagePackIds"] == ids[:1000]
    response = await origin_client.get("/adminAPI/imagePacks?offset=1000", headers=admin_headers)
    second = await response.json()
    assert second == {"imagePackIds": ids[1000:], "offset": 1000, "total": 1001}
    beyond = await (
        await origin_client.get("/adminAPI/imagePacks?offset=5000", headers=admin_headers)
    ).json()
    assert beyond["imagePackIds"] == [] and beyond["total"] == 1001


def _batch_put(storage, items) -> None:  # type: ignore[no-untyped-def]
    serializer = TypeSerializer()
    for start in range(0, len(items), 25):
        requests = [
            {"PutRequest": {"Item": {k: serializer.serialize(v) for k, v in item.items()}}}
            for item in items[start : start + 25]
        ]
        storage.dynamodb.batch_write_item(RequestItems={storage.table("packs"): requests})


async def test_list_shows_only_the_request_tenants_packs(origin_client, admin_headers):
    mine = await create_pack(origin_client, admin_headers)
    theirs = await create_pack(origin_client, {**admin_headers, **OTHER_HOST})
    listed = await (await origin_client.get("/adminAPI/imagePacks", headers=admin_headers)).json()
    assert listed["imagePackIds"] == [mine["id"]]
    response = await origin_client.get(f"/adminAPI/imagePack/{theirs['id']}", headers=admin_headers)
    await assert_error(response, 404)


async def test_list_refuses_a_bad_offset(origin_client, admin_headers):
    for offset in ("-1", "abc", "1.5", "", "1e3"):
        response = await origin_client.get(
            "/adminAPI/imagePacks", params={"offset": offset}, headers=admin_headers
        )
        await assert_error(response, 400)


# -- copyImagePacks -------------------------------------------------------------------
async def test_copy_copies_packs_with_their_originals_in_the_background(
    origin_client, admin_headers, events, storage
):
    await add_region(storage, "demo", "nordic")
    packs = [
        await create_pack(origin_client, admin_headers, {"assetId": f"a{n}"}) for n in range(2)
    ]
    image = png_bytes((40, 30))
    await upload(origin_client, admin_headers, packs[0]["id"], "main", image)
    await upload(
        origin_client, admin_headers, packs[0]["id"], "main", png_bytes((8, 8)), region="nordic"
    )
    source_packs = [
        await (
            await origin_client.get(f"/adminAPI/imagePack/{p['id']}", headers=admin_headers)
        ).json()
        for p in packs
    ]
    since = events.last_seq
    body = {
        "sourceTenant": "demo",
        "targetTenant": OTHER_TENANT,
        "imagePackIds": [p["id"] for p in packs],
    }
    response = await origin_client.put("/adminAPI/copyImagePacks", json=body, headers=admin_headers)
    assert response.status == 202
    accepted = await response.json()
    assert accepted["imagePackIds"] == body["imagePackIds"] and ID.match(accepted["copyId"])
    done = await events.wait_for(lambda e: e.kind == "image_packs_copied", since=since)
    assert done.data["copyId"] == accepted["copyId"] and done.data["failed"] == []
    assert done.data["imagePackIds"] == body["imagePackIds"]
    target_headers = {**admin_headers, **OTHER_HOST}
    for source in source_packs:
        response = await origin_client.get(
            f"/adminAPI/imagePack/{source['id']}", headers=target_headers
        )
        copied = await response.json()
        assert copied["tenant"] == OTHER_TENANT
        assert copied["assetId"] == source["assetId"]
        assert copied.get("imageLocations") == source.get("imageLocations")
    main_id = source_packs[0]["imageLocations"]["main"]["imageId"]
    region_id = source_packs[0]["imageLocations"]["main"]["regions"]["nordic"]["imageId"]
    response = await origin_client.get(f"/adminAPI/image/{main_id}", headers=target_headers)
    assert response.status == 200 and await response.read() == image
    assert (
        await origin_client.get(f"/adminAPI/image/{region_id}", headers=target_headers)
    ).status == 200


async def test_copy_over_an_existing_target_pack_bumps_its_sequence_number(
    origin_client, admin_headers, events
):
    pack = await create_pack(origin_client, admin_headers, {"assetId": "v1"})
    body = {"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": [pack["id"]]}
    for expected_seq in (1, 2):
        since = events.last_seq
        response = await origin_client.put(
            "/adminAPI/copyImagePacks", json=body, headers=admin_headers
        )
        assert response.status == 202
        await events.wait_for(lambda e: e.kind == "image_packs_copied", since=since)
        response = await origin_client.get(
            f"/adminAPI/imagePack/{pack['id']}", headers={**admin_headers, **OTHER_HOST}
        )
        assert (await response.json())["sequenceNumber"] == expected_seq


BAD_COPIES = [
    ({"sourceTenant": "Demo!", "targetTenant": OTHER_TENANT, "imagePackIds": [UNKNOWN_ID]}, 400),
    ({"sourceTenant": "demo", "targetTenant": "../x", "imagePackIds": [UNKNOWN_ID]}, 400),
    ({"sourceTenant": "demo", "targetTenant": "demo", "imagePackIds": [UNKNOWN_ID]}, 400),
    ({"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": []}, 400),
    ({"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": ["../../x"]}, 400),
    ({"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": "abc"}, 400),
    ({"targetTenant": OTHER_TENANT, "imagePackIds": [UNKNOWN_ID]}, 400),
    ({"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": [UNKNOWN_ID]}, 404),
]


async def test_copy_refuses_bad_requests_before_accepting(origin_client, admin_headers, events):
    pack = await create_pack(origin_client, admin_headers)
    for body, status in BAD_COPIES:
        response = await origin_client.put(
            "/adminAPI/copyImagePacks", json=body, headers=admin_headers
        )
        await assert_error(response, status)
    # One missing pack refuses the whole request, even with a real one beside it.
    body = {
        "sourceTenant": "demo",
        "targetTenant": OTHER_TENANT,
        "imagePackIds": [pack["id"], UNKNOWN_ID],
    }
    response = await origin_client.put("/adminAPI/copyImagePacks", json=body, headers=admin_headers)
    await assert_error(response, 404)
    assert events.read(kinds=["image_packs_copied", "image_packs_copy_cancelled"]) == []
    response = await origin_client.get(
        f"/adminAPI/imagePack/{pack['id']}", headers={**admin_headers, **OTHER_HOST}
    )
    await assert_error(response, 404)


async def test_copy_needs_a_token_covering_both_tenants(origin_client, admin_headers):
    pack = await create_pack(origin_client, admin_headers)
    body = {"sourceTenant": "demo", "targetTenant": OTHER_TENANT, "imagePackIds": [pack["id"]]}
    response = await origin_client.put(
        "/adminAPI/copyImagePacks", json=body, headers=token_for("demo")
    )
    await assert_error(response, 403, "wrong_tenant")
    response = await origin_client.put("/adminAPI/copyImagePacks", json=body)
    await assert_error(response, 401)
    both = {"sub": "t", "tenant": ["demo", OTHER_TENANT], "exp": int(time.time()) + 600}
    headers = {"Authorization": "Bearer " + jwt.encode(both, DEV_JWT_SECRET, "HS256")}
    response = await origin_client.put("/adminAPI/copyImagePacks", json=body, headers=headers)
    assert response.status == 202


async def test_closing_the_backend_stops_running_copies(storage, clock, events):
    backend = PackBackend(storage, clock, events, IdGenerator(7))
    pack = await backend.create_image_pack("demo", {})
    await backend.copy_image_packs("demo", OTHER_TENANT, [pack.id])
    assert backend.copier.running == 1
    await backend.close()
    assert backend.copier.running == 0
    assert events.read(kinds=["image_packs_copied"]) == []


async def test_every_json_operation_refuses_malformed_and_oversize_bodies(
    origin_client, admin_headers, storage
):
    await add_region(storage, "demo", "nordic")
    pack = await create_pack(origin_client, admin_headers)
    operations = [
        ("POST", "/adminAPI/imagePacks"),
        ("PUT", f"/adminAPI/imagePack/{pack['id']}"),
        ("PUT", f"/adminAPI/imagePack/{pack['id']}/main"),
        ("PUT", f"/adminAPI/imagePack/{pack['id']}/main/nordic"),
        ("POST", f"/adminAPI/imagePack/{pack['id']}/deleteImageLocation"),
        ("PUT", "/adminAPI/copyImagePacks"),
    ]
    headers = {**admin_headers, "Content-Type": "application/json"}
    oversize = '{"assetId": "' + "x" * (1024 * 1024) + '"}'
    for method, path in operations:
        malformed = await origin_client.request(method, path, data='{"a": [1,', headers=headers)
        await assert_error(malformed, 400, "malformed_json")
        await assert_error(
            await origin_client.request(method, path, data=oversize, headers=headers), 413
        )
    stored = await (
        await origin_client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert stored == pack
    assert (await storage.query("packs", "demo")) == [ImagePack.from_json(pack).to_item()]


async def test_app_cleanup_leaves_no_copy_running(origin_client, admin_headers, events):
    packs = [await create_pack(origin_client, admin_headers) for _ in range(3)]
    for pack in packs:
        await upload(origin_client, admin_headers, pack["id"], "main", png_bytes())
    body = {
        "sourceTenant": "demo",
        "targetTenant": OTHER_TENANT,
        "imagePackIds": [p["id"] for p in packs],
    }
    response = await origin_client.put("/adminAPI/copyImagePacks", json=body, headers=admin_headers)
    assert response.status == 202
    copier = origin_client.app[BACKENDS].packs.copier
    await origin_client.close()
    # Finished or cancelled, but never left running past the app's cleanup.
    assert copier.running == 0
    outcomes = events.read(kinds=["image_packs_copied", "image_packs_copy_cancelled"])
    assert len(outcomes) <= 1


# -- authentication, for every operation of this piece ----------------------------------
PACK = "0123456789abcdef01234567"
OPERATIONS = [
    ("POST", "/adminAPI/imagePacks"),
    ("GET", "/adminAPI/imagePacks"),
    ("GET", f"/adminAPI/imagePack/{PACK}"),
    ("PUT", f"/adminAPI/imagePack/{PACK}"),
    ("GET", f"/adminAPI/imagePack/{PACK}/main"),
    ("PUT", f"/adminAPI/imagePack/{PACK}/main"),
    ("PUT", f"/adminAPI/imagePack/{PACK}/main/nordic"),
    ("POST", f"/adminAPI/imagePack/{PACK}/deleteImageLocation"),
    ("POST", f"/adminAPI/imagePack/{PACK}/main/upload"),
    ("POST", f"/adminAPI/imagePack/{PACK}/main/fetchImage?imageUrl=http://127.0.0.1/x.png"),
    ("GET", f"/adminAPI/image/{PACK}"),
]


async def test_every_operation_needs_credentials(origin_client):
    bad = {"Authorization": "Bearer not.a.jwt"}
    for method, path in OPERATIONS:
        response = await origin_client.request(method, path, json={})
        await assert_error(response, 401, "unauthorized")
        assert response.headers["WWW-Authenticate"].startswith("Bearer"), path
        await assert_error(await origin_client.request(method, path, json={}, headers=bad), 401)


async def test_every_operation_refuses_a_token_for_another_tenant(origin_client):
    for method, path in OPERATIONS:
        response = await origin_client.request(
            method, path, json={}, headers=token_for(OTHER_TENANT)
        )
        await assert_error(response, 403, "wrong_tenant")


async def test_every_operation_refuses_plain_http_from_an_untrusted_network(
    aiohttp_client, origin_settings, clock, events, storage, admin_headers
):
    untrusted = replace(origin_settings, auth=AuthSettings(trusted_networks=("10.0.0.0/8",)))
    client = await start_origin(aiohttp_client, untrusted, clock, events, storage)
    for method, path in OPERATIONS:
        response = await client.request(method, path, json={}, headers=admin_headers)
        await assert_error(response, 403, "insecure_transport")
