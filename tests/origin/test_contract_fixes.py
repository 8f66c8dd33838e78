"""What schemathesis found against the origin's document, each fixed in the code: a body
field set to null or to the wrong type is refused (null is not "absent"), JSON numbers
without a fraction are integers, names cannot shadow a fixed route (so a 405 says the true
``Allow``), an upload holds one field, a trailing newline is not part of a name, and the
rules no schema states answer with their own codes."""

from __future__ import annotations

import aiohttp
import pytest

from tests.conftest import png_bytes
from tests.origin.pack_fixtures import assert_error

NORDICS = {"name": "nordic", "label": "Nordics", "countries": ["NO", "SE"]}


async def _post(client, path, headers, body):  # type: ignore[no-untyped-def]
    return await client.post(path, json=body, headers=headers)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({**NORDICS, "label": None}, "label"),
        ({**NORDICS, "name": None}, "name"),
        ({"name": "nordic", "label": "Nordics"}, "countries"),
        ({**NORDICS, "name": "upload"}, "name"),
        ({**NORDICS, "name": "nordic\n"}, "name"),
    ],
)
async def test_a_region_with_null_a_missing_or_a_reserved_value_is_refused(
    origin_client, admin_headers, body, field
):
    response = await _post(origin_client, "/adminAPI/regions", admin_headers, body)
    assert (await assert_error(response, 400))["field"] == field


async def test_a_region_path_name_and_a_different_body_name_conflict_by_code(
    origin_client, admin_headers
):
    await _post(origin_client, "/adminAPI/regions", admin_headers, NORDICS)
    response = await origin_client.put(
        "/adminAPI/regions/nordic", json={**NORDICS, "name": "other"}, headers=admin_headers
    )
    await assert_error(response, 400, "name_mismatch")


async def test_location_configs_refuse_null_and_name_rules_by_code(origin_client, admin_headers):
    put = origin_client.put
    url = "/adminAPI/imageLocationConfig/thumb"
    response = await put(url, json={"width": 320, "fallback": None}, headers=admin_headers)
    await assert_error(response, 400)
    response = await put(url, json={"width": 320, "fallback": "thumb"}, headers=admin_headers)
    await assert_error(response, 400, "invalid_fallback")
    response = await put(
        "/adminAPI/imageLocationConfig/deleteImageLocation",
        json={"width": 1},
        headers=admin_headers,
    )
    await assert_error(response, 400)
    # 320.0 is the integer 320 (JSON has one number type).
    response = await put(url, json={"width": 320.0, "height": 180}, headers=admin_headers)
    assert response.status == 200 and (await response.json())["width"] == 320


async def test_a_pack_body_is_optional_and_its_fields_are_typed(origin_client, admin_headers):
    response = await origin_client.post("/adminAPI/imagePacks", headers=admin_headers)
    assert response.status == 200
    pack = (await response.json())["id"]
    for body, code in (
        ({"sequenceNumber": -1}, "bad_request"),
        ({"imageLocations": {"main": {"cropInfo": None}}}, "bad_request"),
        (
            {
                "imageLocations": {
                    "main": {
                        "cropInfo": dict.fromkeys(
                            ("topLeftX", "topLeftY", "bottomRightX", "bottomRightY"), 0.5
                        )
                    }
                }
            },
            "empty_crop",
        ),
    ):
        response = await _post(origin_client, "/adminAPI/imagePacks", admin_headers, body)
        await assert_error(response, 400, code)
    response = await origin_client.put(
        f"/adminAPI/imagePack/{pack}", json={"id": "0" * 24}, headers=admin_headers
    )
    await assert_error(response, 400, "read_only")


async def test_each_pack_url_has_one_resource_and_its_405_says_so(origin_client, admin_headers):
    pack = await (await origin_client.post("/adminAPI/imagePacks", headers=admin_headers)).json()
    base = f"/adminAPI/imagePack/{pack['id']}"
    for path, allowed in (
        (f"{base}/deleteImageLocation", "POST"),
        (f"{base}/main/upload", "POST"),
        (f"{base}/main/fetchImage", "POST"),
    ):
        response = await origin_client.request("OPTIONS", path, headers=admin_headers)
        assert response.status == 405 and response.headers["Allow"] == allowed, path


async def test_an_upload_holds_the_file_field_only(origin_client, admin_headers):
    pack = await (await origin_client.post("/adminAPI/imagePacks", headers=admin_headers)).json()
    form = aiohttp.FormData()
    form.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
    form.add_field("note", "hello")
    response = await origin_client.post(
        f"/adminAPI/imagePack/{pack['id']}/main/upload", data=form, headers=admin_headers
    )
    assert (await assert_error(response, 400, "bad_upload"))["field"] == "file"


async def test_offsets_past_twelve_digits_are_refused(origin_client, admin_headers):
    response = await origin_client.get(
        "/adminAPI/imagePacks?offset=" + "9" * 13, headers=admin_headers
    )
    await assert_error(response, 400)
