"""Admin location configs, one at a time: save, read, label, force, invalidation, refusals."""

from __future__ import annotations

import asyncio
from dataclasses import replace

import pytest

from origin.models.documents import LocationConfig
from origin.models.location_writes import ConfigWriter, Put
from tests.conftest import token_for
from tests.origin.admin_fixtures import (
    DEMO2_HOST,
    EPOCH_ISO,
    PACK_A,
    PACK_B,
    add_pack,
    add_variants,
    error_of,
    list_configs,
    put_config,
    variant_keys,
)

MAIN = {"label": "Main", "width": 1280, "height": 720}


async def test_saved_config_is_returned_with_defaults_and_timestamps(origin_client, admin_headers):
    response = await put_config(origin_client, admin_headers, "main", MAIN)
    assert response.status == 200
    assert response.headers["X-Invalidated-Variants"] == "0"
    # No resizeGravity: the tenant default decides (seed 001's lookup ends there).
    assert await response.json() == {
        "name": "main",
        "label": "Main",
        "width": 1280,
        "height": 720,
        "useResizeIncludeAll": "UNSET",
        "added": EPOCH_ISO,
        "updated": EPOCH_ISO,
    }
    got = await origin_client.get("/adminAPI/imageLocationConfig/main", headers=admin_headers)
    assert got.status == 200
    assert (await got.json())["width"] == 1280


async def test_setting_a_gravity_where_the_tenant_default_decided_needs_force(
    origin_client, admin_headers
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(
        origin_client, admin_headers, "main", {**MAIN, "resizeGravity": "center"}
    )
    assert response.status == 409 and (await response.json())["changed"] == {
        "main": ["resizeGravity"]
    }
    response = await put_config(
        origin_client, admin_headers, "main", {**MAIN, "resizeGravity": "center"}, force="true"
    )
    assert response.status == 200 and (await response.json())["resizeGravity"] == "center"


async def test_list_is_sorted_by_name(origin_client, admin_headers):
    for name in ("thumb", "main", "portal-cover"):
        assert (await put_config(origin_client, admin_headers, name, {"width": 100})).status == 200
    names = [c["name"] for c in await list_configs(origin_client, admin_headers)]
    assert names == ["main", "portal-cover", "thumb"]


async def test_replace_keeps_added_and_sets_updated_from_the_clock(
    origin_client, admin_headers, clock
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    await clock.advance(90)
    response = await put_config(origin_client, admin_headers, "main", {**MAIN, "label": "Hero"})
    body = await response.json()
    assert body["added"] == EPOCH_ISO
    assert body["updated"] == "2026-01-01T00:01:30.000Z"
    assert body["label"] == "Hero"


async def test_omitted_fields_are_cleared_on_replace(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", {**MAIN, "fallback": None})
    await put_config(
        origin_client, admin_headers, "thumb", {"width": 10, "fallback": "main", "label": "T"}
    )
    response = await put_config(origin_client, admin_headers, "thumb", {"width": 10})
    body = await response.json()
    assert "fallback" not in body and "label" not in body


async def test_unknown_config_is_404(origin_client, admin_headers):
    for name in ("nope", "bad%20name"):
        response = await origin_client.get(
            f"/adminAPI/imageLocationConfig/{name}", headers=admin_headers
        )
        await error_of(response, 404)


ADMIN_CALLS = [
    ("GET", "/adminAPI/imageLocationConfigs", None),
    ("PUT", "/adminAPI/imageLocationConfigs", [{"name": "main", "width": 10}]),
    ("GET", "/adminAPI/imageLocationConfig/main", None),
    ("PUT", "/adminAPI/imageLocationConfig/main", {"width": 10}),
    ("PUT", "/adminAPI/imageLocationConfig/main/label", {"label": "x"}),
]


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_calls_without_a_token_are_401(origin_client, method, path, body):
    response = await origin_client.request(method, path, json=body)
    await error_of(response, 401)
    assert response.headers["WWW-Authenticate"].startswith("Bearer")


@pytest.mark.parametrize(("method", "path", "body"), ADMIN_CALLS)
async def test_admin_calls_with_another_tenants_token_are_403(origin_client, method, path, body):
    response = await origin_client.request(method, path, json=body, headers=token_for("other"))
    assert (await error_of(response, 403))["code"] == "wrong_tenant"


async def test_token_for_the_tenant_itself_is_accepted(origin_client):
    response = await put_config(origin_client, token_for("demo"), "main", MAIN)
    assert response.status == 200


@pytest.mark.parametrize(
    "path", ["/adminAPI/imageLocationConfig/main", "/adminAPI/imageLocationConfig/main/label"]
)
async def test_malformed_json_is_400(origin_client, admin_headers, path):
    headers = {**admin_headers, "Content-Type": "application/json"}
    response = await origin_client.put(path, data=b'{"width": 10', headers=headers)
    assert (await error_of(response, 400))["code"] == "malformed_json"


async def test_body_over_the_limit_is_413(origin_client, admin_headers):
    big = {"width": 10, "label": "x" * 200, "padding": "y" * (1024 * 1024)}
    response = await put_config(origin_client, admin_headers, "main", big)
    await error_of(response, 413)
    assert await list_configs(origin_client, admin_headers) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([{"width": 10}], None),
        ({"label": "no size"}, "width"),
        ({"width": 0}, "width"),
        ({"width": "100"}, "width"),
        ({"width": True}, "width"),
        ({"height": 10_001}, "height"),
        ({"width": 10, "resizeGravity": "up"}, "resizeGravity"),
        ({"width": 10, "useResizeIncludeAll": "true"}, "useResizeIncludeAll"),
        ({"width": 10, "label": 5}, "label"),
        ({"width": 10, "name": "other"}, "name"),
        ({"width": 10, "fallback": "main"}, "fallback"),
        ({"width": 10, "fallback": "nowhere"}, "fallback"),
        ({"width": 10, "fallback": "bad name"}, "fallback"),
    ],
)
async def test_invalid_config_is_400_naming_the_field(origin_client, admin_headers, body, field):
    response = await put_config(origin_client, admin_headers, "main", body)
    error = await error_of(response, 400)
    assert error.get("field") == field
    assert await list_configs(origin_client, admin_headers) == []


async def test_invalid_name_in_the_path_is_400(origin_client, admin_headers):
    response = await put_config(origin_client, admin_headers, "has%20space", {"width": 10})
    assert (await error_of(response, 400))["field"] == "name"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"width": 1920}, "width"),
        ({"height": 1080}, "height"),
        ({"resizeGravity": "north"}, "resizeGravity"),
        ({"useResizeIncludeAll": "TRUE"}, "useResizeIncludeAll"),
    ],
)
async def test_heavy_change_without_force_is_409_and_changes_nothing(
    origin_client, admin_headers, change, field
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(origin_client, admin_headers, "main", {**MAIN, **change})
    error = await error_of(response, 409)
    assert error["code"] == "force_required"
    assert error["changed"] == {"main": [field]}
    assert field in error["message"] and "force=true" in error["message"]
    stored = await origin_client.get("/adminAPI/imageLocationConfig/main", headers=admin_headers)
    assert {k: v for k, v in (await stored.json()).items() if k in MAIN} == MAIN


async def test_force_false_is_the_same_as_no_force(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(origin_client, admin_headers, "main", {"width": 5}, force="false")
    await error_of(response, 409)


async def test_label_only_change_never_needs_force(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(origin_client, admin_headers, "main", {**MAIN, "label": "Hero"})
    assert response.status == 200
    assert response.headers["X-Invalidated-Variants"] == "0"


async def test_new_location_never_needs_force(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(
        origin_client, admin_headers, "thumb", {"width": 160, "fallback": "main"}
    )
    assert response.status == 200


@pytest.mark.parametrize("value", ["yes", "TRUE", "1", ""])
async def test_force_must_be_exactly_true_or_false(origin_client, admin_headers, value):
    response = await put_config(origin_client, admin_headers, "main", MAIN, force=value)
    assert (await error_of(response, 400))["field"] == "force"


async def test_force_given_twice_is_400(origin_client, admin_headers):
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/main?force=true&force=false",
        json=MAIN,
        headers=admin_headers,
    )
    assert (await error_of(response, 400))["field"] == "force"


async def test_forced_heavy_change_deletes_that_locations_variants_in_every_pack(
    origin_client, admin_headers, storage, events
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    await add_pack(storage, "demo", PACK_A)
    await add_pack(storage, "demo", PACK_B)
    await add_pack(storage, "demo2", PACK_A)
    doomed = {
        f"demo/{PACK_A}/main/w1280-h720.jpg",
        f"demo/{PACK_A}/main/w64.png",
        f"demo/{PACK_B}/main/x.webp",
    }
    kept = {
        f"demo/{PACK_A}/thumb/w160.jpg",  # another location
        f"demo/{PACK_A}/main2/w1.jpg",  # a location whose name starts the same
        f"demo2/{PACK_A}/main/w1280.jpg",  # another tenant
    }
    await add_variants(storage, *doomed, *kept)

    response = await put_config(
        origin_client, admin_headers, "main", {**MAIN, "width": 1920}, force="true"
    )

    assert response.status == 200, await response.text()
    assert response.headers["X-Invalidated-Variants"] == "3"
    assert (await response.json())["width"] == 1920
    assert await variant_keys(storage) == kept
    item = await storage.get_item("location_configs", "demo", "main")
    assert item["forced"] is True
    [event] = events.read(kinds=["location_config_saved"])[-1:]
    assert event.component == "origin"
    assert event.data == {
        "tenant": "demo",
        "name": "main",
        "created": False,
        "heavy": ["width"],
        "forced": True,
        "invalidatedVariants": 3,
    }


async def test_forced_write_without_a_heavy_change_invalidates_nothing(
    origin_client, admin_headers, storage
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    await add_pack(storage, "demo", PACK_A)
    await add_variants(storage, f"demo/{PACK_A}/main/w1280.jpg")
    response = await put_config(
        origin_client, admin_headers, "main", {**MAIN, "label": "x"}, force="true"
    )
    assert response.headers["X-Invalidated-Variants"] == "0"
    assert await variant_keys(storage) == {f"demo/{PACK_A}/main/w1280.jpg"}
    assert (await storage.get_item("location_configs", "demo", "main"))["forced"] is False


async def test_unforced_writes_are_stored_with_forced_false(origin_client, admin_headers, storage):
    await put_config(origin_client, admin_headers, "main", MAIN)
    assert (await storage.get_item("location_configs", "demo", "main"))["forced"] is False


async def test_label_endpoint_changes_only_the_label(origin_client, admin_headers, clock):
    await put_config(origin_client, admin_headers, "main", MAIN)
    await clock.advance(60)
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/main/label", json={"label": "Hero"}, headers=admin_headers
    )
    assert response.status == 200
    assert response.headers["X-Invalidated-Variants"] == "0"
    body = await response.json()
    assert body["label"] == "Hero" and body["width"] == 1280 and body["added"] == EPOCH_ISO
    assert body["updated"] == "2026-01-01T00:01:00.000Z"


async def test_label_null_removes_the_label(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/main/label", json={"label": None}, headers=admin_headers
    )
    assert "label" not in await response.json()


async def test_label_of_an_unknown_config_is_404(origin_client, admin_headers):
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/nope/label", json={"label": "x"}, headers=admin_headers
    )
    await error_of(response, 404)


@pytest.mark.parametrize(
    ("body", "field"),
    [({}, "label"), ({"label": 3}, "label"), ({"label": "x", "width": 5}, "width"), (["x"], None)],
)
async def test_label_endpoint_refuses_anything_but_a_label(
    origin_client, admin_headers, body, field
):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await origin_client.put(
        "/adminAPI/imageLocationConfig/main/label", json=body, headers=admin_headers
    )
    assert (await error_of(response, 400)).get("field") == field


async def test_fallback_to_an_existing_location_is_accepted(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "main", MAIN)
    response = await put_config(
        origin_client, admin_headers, "thumb", {"width": 160, "fallback": "main"}
    )
    assert (await response.json())["fallback"] == "main"


async def test_write_that_would_make_a_fallback_loop_is_400(origin_client, admin_headers):
    await put_config(origin_client, admin_headers, "a", {"width": 1})
    await put_config(origin_client, admin_headers, "b", {"width": 1, "fallback": "a"})
    await put_config(origin_client, admin_headers, "c", {"width": 1, "fallback": "b"})
    response = await put_config(origin_client, admin_headers, "a", {"width": 1, "fallback": "c"})
    error = await error_of(response, 400)
    assert error["field"] == "fallback" and "a -> c -> b -> a" in error["message"]
    stored = await origin_client.get("/adminAPI/imageLocationConfig/a", headers=admin_headers)
    assert "fallback" not in await stored.json()


async def test_tenants_from_the_host_header_keep_their_configs_apart(origin_client, admin_headers):
    demo2 = {**admin_headers, **DEMO2_HOST}
    await put_config(origin_client, demo2, "main", MAIN)
    assert await list_configs(origin_client, admin_headers) == []
    assert [c["name"] for c in await list_configs(origin_client, demo2)] == ["main"]
    response = await put_config(origin_client, token_for("demo"), "main", MAIN)
    assert response.status == 200
    response = await put_config(origin_client, {**token_for("demo"), **DEMO2_HOST}, "thumb", MAIN)
    await error_of(response, 403)


async def test_a_write_that_loses_a_race_is_409_and_leaves_nothing_behind(storage):
    # Another origin process replaced "main" after this one read version 1.
    writer = ConfigWriter(storage, "location_configs")
    main_v1 = replace(LocationConfig("main", width=10), version=1)
    await writer.apply("demo", [Put(main_v1, None, False)], [])
    main_v2 = replace(main_v1, width=20, version=2)
    await writer.apply("demo", [Put(main_v2, main_v1, False)], [])

    thumb = replace(LocationConfig("thumb", width=5), version=1)
    stale = replace(main_v1, width=30, version=2)
    with pytest.raises(Exception) as raised:
        await writer.apply("demo", [Put(thumb, None, False), Put(stale, main_v1, True)], [])

    assert getattr(raised.value, "status", None) == 409
    assert await storage.get_item("location_configs", "demo", "thumb") is None
    stored = LocationConfig.from_item(await storage.get_item("location_configs", "demo", "main"))
    assert stored.width == 20


async def test_concurrent_writes_cannot_build_a_fallback_loop_together(
    origin_client, admin_headers
):
    await put_config(origin_client, admin_headers, "a", {"width": 1})
    await put_config(origin_client, admin_headers, "b", {"width": 1})
    first, second = await asyncio.gather(
        put_config(origin_client, admin_headers, "a", {"width": 1, "fallback": "b"}),
        put_config(origin_client, admin_headers, "b", {"width": 1, "fallback": "a"}),
    )
    assert sorted([first.status, second.status]) == [200, 400]
    configs = {
        c["name"]: c.get("fallback") for c in await list_configs(origin_client, admin_headers)
    }
    assert configs in ({"a": "b", "b": None}, {"a": None, "b": "a"})
