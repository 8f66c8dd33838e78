"""What schemathesis found against the Image Manager API's document, each fixed in the code:
members of a collection and its items are typed and known, two spellings of one member are
refused rather than one silently winning, null is not an empty list, 614.0 is a width, a
limit is ASCII digits, and a rule beyond the schema names itself in the problem type."""

from __future__ import annotations

from typing import Any

import pytest

from tests.vendors.akamai.conftest import TOKEN, ImagingStack

AUTH = {"Luna-Token": TOKEN}
COLLECTIONS = "/imaging/v0/imagecollections"


async def _call(imaging: ImagingStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    async with imaging.http.request(method, imaging.api(path), json=body, headers=AUTH) as r:
        assert r.content_type in ("application/json", "application/api-problem+json")
        return r.status, await r.json()


@pytest.mark.parametrize(
    "definition",
    [
        {"items": [], "type": {}},
        {"items": [], "version": "1"},
        {"items": [], "extra": 1},
        {"items": [{"type": "image", "url": "/a.jpg", "tags": [{}]}]},
        {"items": [{"type": "AkaImage", "imageId": "/a.jpg", "url": "/b.jpg"}]},
        {"items": [{"type": "spin360", "urls": ["/a.jpg", 5]}]},
    ],
)
async def test_a_collection_holds_only_typed_known_members(imaging: ImagingStack, definition):
    status, problem = await _call(
        imaging, "PUT", COLLECTIONS, {"id": "c1", "definition": definition}
    )
    assert (status, problem["title"]) == (400, "Validation Exception")


async def test_a_collection_as_the_seed_shows_it_is_taken(imaging: ImagingStack):
    definition = {"type": "Gallery", "version": 1, "items": [
        {"type": "image", "url": "http://example.com/img1.jpg", "mime": "image/jpeg"},
        {"type": "video", "url": "/v.mp4", "mime": "video/mp4", "poster": "/p.jpg", "tags": ["x"]},
        {"type": "AkaImage", "imageId": "/images/bag.front.jpg"},
    ]}  # fmt: skip
    status, ack = await _call(imaging, "PUT", COLLECTIONS, {"id": "c1", "definition": definition})
    assert (status, ack["operationPerformed"]) == (200, "CREATED")


@pytest.mark.parametrize(
    ("policy", "kind"),
    [
        ({"transformations": [{"transformation": "MaxColors", "colors": 2, "colours": 300}]},
         "validation-exception"),
        ({"variables": None}, "validation-exception"),
        ({"hosts": None}, "validation-exception"),
        ({"transformations": [{"transformation": "Blur", "sigma": {"var": "nope"}}]},
         "variable-reference"),
        ({"id": "other"}, "id-mismatch"),
    ],
)  # fmt: skip
async def test_refused_policies_name_their_problem(imaging: ImagingStack, policy, kind):
    status, problem = await _call(imaging, "PUT", "/imaging/v2/policies/p1", policy)
    assert status == 400 and problem["type"] == f"/imaging/problem-types/{kind}", problem


async def test_a_width_of_614_point_0_is_the_integer_614(imaging: ImagingStack):
    status, _ = await _call(
        imaging, "PUT", "/imaging/v2/policies/p1", {"breakpoints": {"widths": [614.0, 320]}}
    )
    assert status == 201
    status, policy = await _call(imaging, "GET", "/imaging/v2/policies/p1")
    assert policy["breakpoints"]["widths"] == [614, 320]


@pytest.mark.parametrize("limit", ["%C2%B2", "0", "x"])
async def test_a_limit_is_ascii_digits_or_a_400(imaging: ImagingStack, limit: str):
    status, problem = await _call(imaging, "GET", f"{COLLECTIONS}?limit={limit}")
    assert status == 400, problem


async def test_both_apis_serve_the_document(imaging: ImagingStack):
    for staging in (False, True):
        async with imaging.http.get(imaging.api("/openapi.json", staging=staging)) as r:
            assert r.status == 200
            assert "/imaging/v2/policies/{policy_id}" in (await r.json())["paths"]
