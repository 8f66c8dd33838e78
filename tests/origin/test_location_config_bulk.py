"""Bulk replace of every location config (``PUT /adminAPI/imageLocationConfigs``)."""

from __future__ import annotations

import pytest

from tests.origin.admin_fixtures import (
    EPOCH_ISO,
    PACK_A,
    PACK_B,
    add_pack,
    add_variants,
    error_of,
    list_configs,
    put_all,
    variant_keys,
)

SEED = [
    {"name": "main", "width": 1280, "height": 720},
    {"name": "thumb", "width": 160, "height": 90, "fallback": "main"},
]


async def seed(client, headers) -> None:
    response = await put_all(client, headers, SEED)
    assert response.status == 200, await response.text()


async def test_bulk_replace_returns_the_new_list_sorted_by_name(origin_client, admin_headers):
    body = [
        {"name": "thumb", "width": 160, "height": 90},
        {"name": "main", "width": 1280, "height": 720},
        {"name": "portal-cover", "width": 600, "height": 900, "fallback": "main"},
    ]
    response = await put_all(origin_client, admin_headers, body)
    assert response.status == 200
    assert response.headers["X-Invalidated-Variants"] == "0"
    returned = await response.json()
    assert [c["name"] for c in returned] == ["main", "portal-cover", "thumb"]
    assert returned == await list_configs(origin_client, admin_headers)
    assert returned[1]["fallback"] == "main" and returned[1]["added"] == EPOCH_ISO


async def test_what_a_get_returns_can_be_put_back_unchanged(origin_client, admin_headers, clock):
    await seed(origin_client, admin_headers)
    before = await list_configs(origin_client, admin_headers)
    await clock.advance(300)
    response = await put_all(origin_client, admin_headers, before)
    assert response.status == 200
    # Unchanged configs are not rewritten, so their `updated` stays.
    assert await response.json() == before


async def test_absent_locations_need_force_to_be_removed(origin_client, admin_headers):
    await seed(origin_client, admin_headers)
    response = await put_all(origin_client, admin_headers, [SEED[0]])
    error = await error_of(response, 409)
    assert error["code"] == "force_required" and error["removed"] == ["thumb"]
    assert [c["name"] for c in await list_configs(origin_client, admin_headers)] == [
        "main",
        "thumb",
    ]


async def test_forced_removal_deletes_the_location_and_its_variants(
    origin_client, admin_headers, storage, events
):
    await seed(origin_client, admin_headers)
    await add_pack(storage, "demo", PACK_A)
    await add_pack(storage, "demo", PACK_B)
    await add_variants(
        storage,
        f"demo/{PACK_A}/thumb/1.jpg",
        f"demo/{PACK_B}/thumb/2.jpg",
        f"demo/{PACK_A}/main/3.jpg",
    )
    response = await put_all(origin_client, admin_headers, [SEED[0]], force="true")
    assert response.status == 200, await response.text()
    assert response.headers["X-Invalidated-Variants"] == "2"
    assert [c["name"] for c in await response.json()] == ["main"]
    assert await variant_keys(storage) == {f"demo/{PACK_A}/main/3.jpg"}
    assert await storage.get_item("location_configs", "demo", "thumb") is None
    [removed] = events.read(kinds=["location_config_removed"])
    assert removed.data == {"tenant": "demo", "name": "thumb", "invalidatedVariants": 2}


async def test_refused_bulk_writes_nothing_at_all(origin_client, admin_headers):
    await seed(origin_client, admin_headers)
    before = await list_configs(origin_client, admin_headers)
    body = [
        {"name": "main", "width": 1920, "height": 720},  # heavy: needs force
        {"name": "thumb", "width": 160, "height": 90, "fallback": "main", "label": "new label"},
        {"name": "hero", "width": 2000},  # new
    ]
    error = await error_of(await put_all(origin_client, admin_headers, body), 409)
    assert error["changed"] == {"main": ["width"]}
    assert await list_configs(origin_client, admin_headers) == before


async def test_forced_bulk_heavy_change_invalidates_only_changed_locations(
    origin_client, admin_headers, storage
):
    await seed(origin_client, admin_headers)
    await add_pack(storage, "demo", PACK_A)
    await add_variants(storage, f"demo/{PACK_A}/main/1.jpg", f"demo/{PACK_A}/thumb/2.jpg")
    body = [{**SEED[0], "resizeGravity": "north"}, {**SEED[1], "label": "Thumbnail"}]
    response = await put_all(origin_client, admin_headers, body, force="true")
    assert response.status == 200
    assert response.headers["X-Invalidated-Variants"] == "1"
    assert await variant_keys(storage) == {f"demo/{PACK_A}/thumb/2.jpg"}
    assert (await storage.get_item("location_configs", "demo", "main"))["forced"] is True
    assert (await storage.get_item("location_configs", "demo", "thumb"))["forced"] is False


async def test_bulk_label_change_needs_no_force(origin_client, admin_headers, clock):
    await seed(origin_client, admin_headers)
    await clock.advance(60)
    body = [SEED[0], {**SEED[1], "label": "Thumbnail"}]
    response = await put_all(origin_client, admin_headers, body)
    assert response.status == 200
    main, thumb = await response.json()
    assert thumb["label"] == "Thumbnail" and thumb["updated"] == "2026-01-01T00:01:00.000Z"
    assert main["updated"] == EPOCH_ISO


async def test_empty_list_removes_everything_with_force(origin_client, admin_headers):
    await seed(origin_client, admin_headers)
    await error_of(await put_all(origin_client, admin_headers, []), 409)
    response = await put_all(origin_client, admin_headers, [], force="true")
    assert response.status == 200 and await response.json() == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "main", "width": 1}, None),
        ([{"name": "main", "width": 1}, {"name": "main", "width": 2}], "[1].name"),
        ([{"name": "main", "width": 1}, {"name": "thumb"}], "[1].width"),
        ([{"width": 1}], "[0].name"),
        ([{"name": "main", "width": 1}, "thumb"], "[1]"),
        ([{"name": "thumb", "width": 1, "fallback": "main"}], "[0].fallback"),
        (
            [
                {"name": "a", "width": 1, "fallback": "b"},
                {"name": "b", "width": 1, "fallback": "c"},
                {"name": "c", "width": 1, "fallback": "a"},
            ],
            "[0].fallback",
        ),
    ],
)
async def test_invalid_bulk_body_is_400_naming_the_item_and_field(
    origin_client, admin_headers, body, field
):
    response = await put_all(origin_client, admin_headers, body, force="true")
    assert (await error_of(response, 400)).get("field") == field
    assert await list_configs(origin_client, admin_headers) == []


async def test_removing_a_location_that_a_remaining_one_falls_back_to_is_400(
    origin_client, admin_headers
):
    await seed(origin_client, admin_headers)
    body = [{"name": "thumb", "width": 160, "height": 90, "fallback": "main"}]
    error = await error_of(await put_all(origin_client, admin_headers, body, force="true"), 400)
    assert error["field"] == "[0].fallback" and "removes" in error["message"]
    assert len(await list_configs(origin_client, admin_headers)) == 2


async def test_bulk_can_reverse_a_fallback_in_one_request(origin_client, admin_headers):
    await seed(origin_client, admin_headers)
    body = [
        {"name": "main", "width": 1280, "height": 720, "fallback": "thumb"},
        {k: v for k, v in SEED[1].items() if k != "fallback"},  # full replace: omitted, cleared
    ]
    response = await put_all(origin_client, admin_headers, body)
    assert response.status == 200
    main, thumb = await response.json()
    assert main["fallback"] == "thumb" and "fallback" not in thumb


async def test_bulk_malformed_json_is_400(origin_client, admin_headers):
    headers = {**admin_headers, "Content-Type": "application/json"}
    response = await origin_client.put(
        "/adminAPI/imageLocationConfigs", data=b"[{", headers=headers
    )
    assert (await error_of(response, 400))["code"] == "malformed_json"


async def test_bulk_body_over_the_limit_is_413(origin_client, admin_headers):
    body = [{"name": f"loc{i}", "width": 10, "label": "x" * 200} for i in range(5000)]
    await error_of(await put_all(origin_client, admin_headers, body), 413)


async def test_bulk_with_too_many_locations_is_400(origin_client, admin_headers):
    body = [{"name": f"l{i}", "width": 1} for i in range(1001)]
    await error_of(await put_all(origin_client, admin_headers, body), 400)
    assert await list_configs(origin_client, admin_headers) == []
