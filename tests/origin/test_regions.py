"""Admin regions: create, update, and every refusal."""

from __future__ import annotations

import pytest

from tests.conftest import token_for
from tests.origin.admin_fixtures import DEMO2_HOST, error_of

NORDICS = {"name": "nordics", "label": "Nordics", "countries": ["NO", "SE", "DK", "FI"]}


async def create(client, headers, body):
    return await client.post("/adminAPI/regions", json=body, headers=headers)


async def public_region(client, name, headers=None):
    response = await client.get(f"/api/v2/regions/{name}", headers=headers)
    return response.status, (await response.json())


async def test_created_region_is_returned_and_published(origin_client, admin_headers, events):
    response = await create(origin_client, admin_headers, NORDICS)
    assert response.status == 200
    assert await response.json() == NORDICS
    assert await public_region(origin_client, "nordics") == (200, NORDICS)
    [event] = events.read(kinds=["region_saved"])
    assert event.data["name"] == "nordics" and event.data["created"] is True


async def test_creating_an_existing_region_is_409_and_keeps_it(origin_client, admin_headers):
    await create(origin_client, admin_headers, NORDICS)
    response = await create(origin_client, admin_headers, {**NORDICS, "countries": ["IS"]})
    assert (await error_of(response, 409))["code"] == "region_exists"
    assert (await public_region(origin_client, "nordics"))[1]["countries"] == NORDICS["countries"]


async def test_update_replaces_the_region(origin_client, admin_headers, events):
    await create(origin_client, admin_headers, NORDICS)
    response = await origin_client.put(
        "/adminAPI/regions/nordics", json={"countries": ["NO", "IS"]}, headers=admin_headers
    )
    assert response.status == 200
    assert await response.json() == {"name": "nordics", "countries": ["NO", "IS"]}
    assert await public_region(origin_client, "nordics") == (
        200,
        {"name": "nordics", "countries": ["NO", "IS"]},
    )
    assert events.read(kinds=["region_saved"])[-1].data["created"] is False


async def test_updating_an_unknown_region_is_404(origin_client, admin_headers):
    response = await origin_client.put(
        "/adminAPI/regions/nowhere", json={"countries": ["NO"]}, headers=admin_headers
    )
    assert (await error_of(response, 404))["code"] == "region_not_found"
    assert (await public_region(origin_client, "nowhere"))[0] == 404


async def test_repeated_countries_are_kept_once(origin_client, admin_headers):
    response = await create(origin_client, admin_headers, {"name": "no", "countries": ["NO", "NO"]})
    assert (await response.json())["countries"] == ["NO"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ([NORDICS], None),
        ({"label": "no name"}, "name"),
        ({"name": "has space"}, "name"),
        ({"name": "eu", "countries": "NO"}, "countries"),
        ({"name": "eu", "countries": ["no"]}, "countries"),
        ({"name": "eu", "countries": ["NOR"]}, "countries"),
        ({"name": "eu", "countries": ["XX"]}, "countries"),
        ({"name": "eu", "countries": [47]}, "countries"),
        ({"name": "eu", "label": ["x"]}, "label"),
    ],
)
async def test_invalid_region_is_400_naming_the_field(origin_client, admin_headers, body, field):
    response = await create(origin_client, admin_headers, body)
    assert (await error_of(response, 400)).get("field") == field
    listed = await origin_client.get("/api/v2/regions")
    assert await listed.json() == []


async def test_name_in_the_body_must_match_the_path(origin_client, admin_headers):
    await create(origin_client, admin_headers, NORDICS)
    response = await origin_client.put(
        "/adminAPI/regions/nordics", json={**NORDICS, "name": "baltics"}, headers=admin_headers
    )
    assert (await error_of(response, 400))["field"] == "name"


@pytest.mark.parametrize("path", ["/adminAPI/regions", "/adminAPI/regions/nordics"])
async def test_malformed_json_is_400(origin_client, admin_headers, path):
    headers = {**admin_headers, "Content-Type": "application/json"}
    response = await origin_client.request(
        "PUT" if path.endswith("nordics") else "POST", path, data=b"{", headers=headers
    )
    assert (await error_of(response, 400))["code"] == "malformed_json"


async def test_body_over_the_limit_is_413(origin_client, admin_headers):
    response = await create(
        origin_client, admin_headers, {**NORDICS, "padding": "x" * (1024 * 1024)}
    )
    await error_of(response, 413)


@pytest.mark.parametrize(
    ("method", "path"), [("POST", "/adminAPI/regions"), ("PUT", "/adminAPI/regions/nordics")]
)
async def test_region_writes_need_a_token_for_the_tenant(origin_client, method, path):
    await error_of(await origin_client.request(method, path, json=NORDICS), 401)
    response = await origin_client.request(method, path, json=NORDICS, headers=token_for("demo2"))
    assert (await error_of(response, 403))["code"] == "wrong_tenant"


async def test_regions_are_per_tenant(origin_client, admin_headers):
    await create(origin_client, {**admin_headers, **DEMO2_HOST}, NORDICS)
    assert (await public_region(origin_client, "nordics"))[0] == 404
    assert (await public_region(origin_client, "nordics", DEMO2_HOST))[0] == 200
    response = await origin_client.put(
        "/adminAPI/regions/nordics", json=NORDICS, headers=admin_headers
    )
    await error_of(response, 404)
