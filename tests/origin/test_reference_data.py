"""Public reference data: read-only, unauthenticated mirrors of the admin data."""

from __future__ import annotations

from tests.origin.admin_fixtures import DEMO2_HOST, error_of, list_configs, put_all


async def test_public_location_configs_need_no_auth_and_mirror_the_admin_list(
    origin_client, admin_headers
):
    body = [
        {"name": "thumb", "width": 160, "height": 90, "fallback": "main"},
        {"name": "main", "width": 1280, "height": 720, "label": "Main"},
    ]
    assert (await put_all(origin_client, admin_headers, body)).status == 200
    response = await origin_client.get("/api/v2/imageLocationConfigs")
    assert response.status == 200
    public = await response.json()
    assert public == await list_configs(origin_client, admin_headers)
    assert [c["name"] for c in public] == ["main", "thumb"]


async def test_public_regions_are_listed_sorted_by_name(origin_client, admin_headers):
    for name, countries in (("nordics", ["NO", "SE"]), ("baltics", ["EE", "LV", "LT"])):
        response = await origin_client.post(
            "/adminAPI/regions", json={"name": name, "countries": countries}, headers=admin_headers
        )
        assert response.status == 200
    response = await origin_client.get("/api/v2/regions")
    assert response.status == 200
    assert await response.json() == [
        {"name": "baltics", "countries": ["EE", "LV", "LT"]},
        {"name": "nordics", "countries": ["NO", "SE"]},
    ]


async def test_unknown_public_region_is_404(origin_client):
    for name in ("nowhere", "not%20a%20name", "x" * 2000):
        await error_of(await origin_client.get(f"/api/v2/regions/{name}"), 404)


async def test_a_new_tenant_has_empty_reference_data(origin_client):
    for path in ("/api/v2/imageLocationConfigs", "/api/v2/regions"):
        response = await origin_client.get(path, headers=DEMO2_HOST)
        assert response.status == 200 and await response.json() == []


async def test_public_data_follows_the_host_tenant(origin_client, admin_headers):
    await put_all(
        origin_client, {**admin_headers, **DEMO2_HOST}, [{"name": "poster", "height": 900}]
    )
    await origin_client.post(
        "/adminAPI/regions",
        json={"name": "dach", "countries": ["DE", "AT", "CH"]},
        headers=admin_headers,
    )
    demo2 = await (
        await origin_client.get("/api/v2/imageLocationConfigs", headers=DEMO2_HOST)
    ).json()
    demo = await (await origin_client.get("/api/v2/imageLocationConfigs")).json()
    assert [c["name"] for c in demo2] == ["poster"] and demo == []
    assert await (await origin_client.get("/api/v2/regions", headers=DEMO2_HOST)).json() == []
    assert (await origin_client.get("/api/v2/regions/dach")).status == 200


async def test_public_endpoints_are_read_only(origin_client):
    response = await origin_client.put("/api/v2/imageLocationConfigs", json=[])
    assert (await error_of(response, 405))["code"] == "method_not_allowed"
