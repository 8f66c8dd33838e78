"""Composite through the edge (hosts enforced), the images API reporting the derivatives
the edge really produced, and the image collections API."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime
from urllib.parse import quote

import pytest

from common.events import EventLog
from tests.vendors.akamai.conftest import TOKEN, ImagingStack, decoded
from vendors.akamai.image_collections import months_before

AUTH = {"Luna-Token": TOKEN}


def watermark_policy(origin_url: str) -> dict:
    host = origin_url.removeprefix("http://")
    return {
        "hosts": [host],
        "variables": [{"name": "wm", "type": "url", "defaultValue": f"{origin_url}/photos/logo.png"}],
        "transformations": [{"transformation": "Composite", "image": {"url": {"var": "wm"}},
                             "gravity": "SouthWest"}],
    }  # fmt: skip


async def test_composite_fetches_the_watermark_from_an_allowed_host_only(
    imaging: ImagingStack, events: EventLog
):
    await imaging.put_policy("watermark", watermark_policy(imaging.origin.url))
    response, body = await imaging.get(
        imaging.delivery("/photos/red.jpg?impolicy=watermark&imformat=generic")
    )
    image = decoded(body).convert("RGB")
    r, _g, b = image.getpixel((10, 590))  # bottom-left: the blue logo
    assert b > 200 and r < 40
    assert image.getpixel((700, 10))[0] > 180  # the rest is still red
    roles = [e.data["role"] for e in events.read(kinds=["origin_fetch"], component="akamai")]
    assert sorted(roles) == ["composite", "source"]
    # A variable may not point the watermark anywhere else: the policy fails, pristine is served.
    evil = quote("http://203.0.113.9/x.png", safe="")
    response, body = await imaging.get(
        imaging.delivery(f"/photos/red.jpg?impolicy=watermark&wm={evil}")
    )
    assert "no host the policy allows" in response.headers["X-Akamai-Im-Fallback"]
    assert body == imaging.origin.images["/photos/red.jpg"][0]
    assert not [
        e
        for e in events.read(kinds=["origin_fetch"], component="akamai")
        if "203.0.113.9" in e.data["url"]
    ]


async def test_images_api_reports_the_derivatives_the_edge_produced(imaging: ImagingStack, clock):
    await imaging.get(imaging.delivery("/photos/red.jpg?imwidth=300&imformat=chrome"))
    await imaging.get(imaging.delivery("/photos/red.jpg?imwidth=600&imformat=chrome"))
    await clock.advance(60)
    await imaging.put_policy("thumb", {"breakpoints": {"widths": [100]}})
    await imaging.get(imaging.delivery("/photos/clear.png?impolicy=thumb&imwidth=50"))
    await imaging.get(imaging.delivery("/photos/broken.jpg?impolicy=thumb&imwidth=50"))
    async with imaging.http.get(imaging.api("/imaging/v0/images"), headers=AUTH) as response:
        listing = await response.json()
    assert listing["itemKind"] == "IMAGE" and listing["totalItems"] == 3
    red = listing["items"][0]
    assert red["id"] == "/photos/red.jpg" and red["url"] == imaging.origin.url + "/photos/red.jpg"
    sizes = red["policies"][".auto"]["sizes"]
    assert set(sizes) == {"320", "640"}
    assert sizes["320"]["policyVersion"] == 1 and sizes["320"]["status"] == "PASSED"
    assert re.fullmatch(r"\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\+0000", sizes["320"]["date"])
    async with imaging.http.get(
        imaging.api("/imaging/v0/images?policyId=thumb&limit=1"), headers=AUTH
    ) as response:
        only = await response.json()
    assert [i["id"] for i in only["items"]] == ["/photos/clear.png"]
    assert list(only["items"][0]["policies"]) == ["thumb"]
    async with imaging.http.get(
        imaging.api("/imaging/v0/images//photos/broken.jpg"), headers=AUTH
    ) as response:
        broken = await response.json()
    assert broken["policies"]["thumb"]["sizes"]["100"]["status"] == "FAILED"
    url = quote(imaging.origin.url + "/photos/clear.png", safe="")
    async with imaging.http.get(
        imaging.api(f"/imaging/v0/images?url={url}"), headers=AUTH
    ) as response:
        assert [i["id"] for i in (await response.json())["items"]] == ["/photos/clear.png"]
    async with imaging.http.get(
        imaging.api("/imaging/v0/images", staging=True), headers=AUTH
    ) as response:
        assert (await response.json())["totalItems"] == 0  # staging produced nothing
    for bad in ("/imaging/v0/images/photos/none.jpg", "/imaging/v0/images?limit=0"):
        async with imaging.http.get(imaging.api(bad), headers=AUTH) as response:
            assert response.status in (400, 404)
            assert response.content_type == "application/api-problem+json"


COLLECTION = {
    "id": "product-1",
    "tags": ["red", "shoe"],
    "definition": {"version": 1, "items": [
        {"type": "image", "url": "http://example.com/img1.jpg", "mime": "image/jpeg"},
        {"type": "AkaImage", "imageId": "/images/bag.front.jpg"},
        {"type": "spin360", "urls": ["http://example.com/s1.jpg"]},
    ]},
}  # fmt: skip


async def test_image_collections_create_get_update_history_delete(imaging: ImagingStack, clock):
    base = imaging.api("/imaging/v0/imagecollections")
    async with imaging.http.put(base + "/", json=COLLECTION, headers=AUTH) as response:
        assert response.status == 200  # the seed's status for a create
        assert await response.json() == {
            "operationPerformed": "CREATED",
            "description": "Image Collection product-1 was created",
            "id": "product-1",
        }
    async with imaging.http.put(base + "/", json=COLLECTION, headers=AUTH) as response:
        assert response.status == 400  # the seed's codes have no 409
        problem = await response.json(content_type=None)
        assert problem["type"] == "/imaging/problem-types/collection-exists"
    await clock.advance(5)
    changed = {
        **COLLECTION,
        "definition": {"version": 2, "items": COLLECTION["definition"]["items"][:1]},
    }
    async with imaging.http.post(base + "/product-1", json=changed, headers=AUTH) as response:
        assert (await response.json())["operationPerformed"] == "UPDATED"
    async with imaging.http.get(base + "/product-1", headers=AUTH) as response:
        got = await response.json()
    assert (
        got["definition"]["version"] == 2
        and got["tags"] == ["red", "shoe"]
        and got["user"] == "cdnsim"
    )
    async with imaging.http.get(base + "/product-1/history?limit=5", headers=AUTH) as response:
        history = await response.json()
    assert history["itemKind"] == "IMAGECOLLECTIONHISTORY" and history["totalItems"] == 2
    stamps = [i["lastModifiedTimestamp"] for i in history["items"]]
    assert stamps[0] - stamps[1] == 5000  # milliseconds, newest first
    async with imaging.http.get(base + "/?limit=1", headers=AUTH) as response:
        assert [i["id"] for i in (await response.json())["items"]] == ["product-1"]
    async with imaging.http.delete(base + "/product-1", headers=AUTH) as response:
        assert await response.json() == {"operationPerformed": "DELETED", "description": "Item was deleted",
                                         "id": "product-1"}  # fmt: skip
    async with imaging.http.get(base + "/product-1", headers=AUTH) as response:
        assert response.status == 404


async def test_bad_collections_are_refused_and_nothing_is_stored(imaging: ImagingStack):
    base = imaging.api("/imaging/v0/imagecollections/")
    bads = [
        {"definition": {"items": []}},
        {"id": "x y", "definition": {"items": []}},
        {"id": "c", "definition": {"items": [{"type": "hologram"}]}},
        {"id": "c", "definition": {"items": [{"type": "image"}]}},
        {"id": "c", "definition": []},
        {"id": "c", "definition": {"items": []}, "tags": "red"},
    ]
    for body in bads:
        async with imaging.http.put(base, json=body, headers=AUTH) as response:
            assert response.status == 400, body
            assert json.loads(await response.text())["title"] == "Validation Exception"
    async with imaging.http.post(
        base + "nope", json={"definition": {"items": []}}, headers=AUTH
    ) as response:
        assert response.status == 404
    async with imaging.http.get(base, headers={}) as response:
        assert response.status == 401
    async with imaging.http.get(base, headers=AUTH) as response:
        assert (await response.json())["totalItems"] == 0


@pytest.mark.parametrize(
    ("now", "then"),
    [
        ("2026-05-31 12:00:00", "2026-02-28 12:00:00"),  # the day clamped to February's last
        ("2024-05-31 00:00:00", "2024-02-29 00:00:00"),
        ("2026-01-15 08:30:00", "2025-10-15 08:30:00"),  # across a year
    ],
)
def test_three_months_before_is_calendar_months(now: str, then: str):
    def stamp(text: str) -> float:
        return datetime.strptime(text, "%Y-%m-%d %H:%M:%S").replace(tzinfo=UTC).timestamp()

    assert months_before(stamp(now), 3) == stamp(then)


async def test_collection_history_keeps_the_last_three_months_only(imaging: ImagingStack, clock):
    base = imaging.api("/imaging/v0/imagecollections")
    day = 86400.0
    body = {"id": "old", "definition": {"items": []}}
    async with imaging.http.put(base + "/", json=body, headers=AUTH) as response:
        assert response.status == 200
    await clock.advance(40 * day)
    for version in (2, 3):
        changed = {"definition": {"version": version, "items": []}}
        async with imaging.http.post(base + "/old", json=changed, headers=AUTH) as response:
            assert response.status == 200
        await clock.advance(20 * day)

    async def versions() -> tuple[int, list[int]]:
        async with imaging.http.get(base + "/old/history", headers=AUTH) as response:
            answer = await response.json(content_type=None)
            return response.status, [
                i["definition"].get("version", 1) for i in answer.get("items", [])
            ]

    assert await versions() == (200, [3, 2, 1])  # 80 days after the first: all within
    await clock.advance(15 * day)  # the first state is now older than three months
    assert await versions() == (200, [3, 2])
    await clock.advance(100 * day)  # unchanged for longer than three months: no updates
    assert await versions() == (200, [])
    async with imaging.http.delete(base + "/old", headers=AUTH) as response:
        assert response.status == 200
    assert (await versions())[0] == 404  # gone, and nothing of it within three months
