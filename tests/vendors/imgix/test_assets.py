"""Image Manager assets over HTTP: indexed when served, measured with Pillow, listed with
the seed's filters and sorts, edited, refreshed and uploaded."""

from __future__ import annotations

import asyncio
import io
from typing import Any

import boto3
from PIL import Image

from tests.vendors.imgix.conftest import BROWSE_ONLY, EDITOR, SOURCES_ONLY, Stack, image_bytes


def jpeg_with_dpi() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (140, 160, 145)).save(out, "JPEG", dpi=(300, 300))
    return out.getvalue()


def gif_animation() -> bytes:
    out = io.BytesIO()
    frames = [Image.new("RGB", (10, 10), c) for c in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    frames[0].save(out, "GIF", save_all=True, append_images=frames[1:])
    return out.getvalue()


async def served(stack: Stack, **files: bytes) -> str:
    for name, data in files.items():
        stack.folder.put(f"/images/{name.replace('_', '.')}", data)
    source_id = await stack.create_source()
    for name in files:
        await stack.get(f"/{name.replace('_', '.')}?w=5")
        await stack.clock.advance(1)
    return source_id


async def test_served_originals_become_measured_assets(stack: Stack) -> None:
    source_id = await served(stack, photo_jpg=jpeg_with_dpi(), anim_gif=gif_animation())
    status, doc = await stack.call(
        "GET", f"/api/v1/sources/{source_id}/assets/photo.jpg", key=BROWSE_ONLY
    )
    assert status == 200 and doc["data"]["id"] == f"{source_id}/photo.jpg"
    a = doc["data"]["attributes"]
    assert (a["content_type"], a["media_width"], a["media_height"]) == ("image/jpeg", 120, 80)
    assert (a["dpi_width"], a["dpi_height"], a["color_model"], a["media_kind"]) == (
        300,
        300,
        "RGB",
        "IMAGE",
    )
    assert a["file_size"] == len(jpeg_with_dpi()) and a["has_frames"] is False
    top = max(a["colors"]["dominant_colors"].items(), key=lambda kv: kv[1])
    assert top[1] > 0.9 and abs(int(top[0][1:3], 16) - 140) <= 3
    assert a["analyzed_faces"] is a["analyzed_tags"] is a["analyzed_content_warnings"] is False
    assert a["face_count"] is None and a["tags"] == {} and a["origin_path"] == "/photo.jpg"
    _, doc = await stack.call("GET", f"/api/v1/assets/{source_id}/anim.gif")
    assert doc["data"]["attributes"]["has_frames"] is True
    assert doc["data"]["attributes"]["media_kind"] == "ANIMATION"
    status, _ = await stack.call("GET", f"/api/v1/assets/{source_id}/never.png")
    assert status == 404


async def test_list_filters_sorts_and_cursor(stack: Stack) -> None:
    files = {f"p{i}_png": image_bytes((10 + i, 10)) for i in range(5)}
    source_id = await served(stack, **files, photo_jpg=jpeg_with_dpi(), anim_gif=gif_animation())
    base = f"/api/v1/sources/{source_id}/assets"
    _, doc = await stack.call(
        "GET", f"{base}?sort=-date_created&page[limit]=3&fields[assets]=origin_path"
    )
    assert [r["attributes"] for r in doc["data"]] == [
        {"origin_path": "/anim.gif"},
        {"origin_path": "/photo.jpg"},
        {"origin_path": "/p4.png"},
    ]
    assert doc["meta"]["cursor"] == {
        "current": "0",
        "estimatedRecords": None,
        "hasMore": True,
        "next": "3",
        "totalRecords": "7",
    }
    _, doc = await stack.call("GET", f"{base}?sort=-date_created&page[limit]=3&page[cursor]=6")
    assert len(doc["data"]) == 1 and doc["meta"]["cursor"]["hasMore"] is False
    _, doc = await stack.call(
        "GET", f"{base}?sort=file_size&filter[media_kind]=image&filter[origin_path]=p"
    )
    sizes = [r["attributes"]["file_size"] for r in doc["data"]]
    assert len(sizes) == 6 and sizes == sorted(sizes)  # the PNGs and /photo.jpg
    _, doc = await stack.call("GET", f"{base}?filter[has_frames]=true")
    assert [r["attributes"]["origin_path"] for r in doc["data"]] == ["/anim.gif"]
    colour = next(
        iter(
            (await stack.call("GET", f"{base}/photo.jpg"))[1]["data"]["attributes"]["colors"][
                "dominant_colors"
            ]
        )
    )
    _, doc = await stack.call("GET", f"{base}?filter[colors]={colour[1:]}")
    assert "/photo.jpg" in [r["attributes"]["origin_path"] for r in doc["data"]]
    _, doc = await stack.call("GET", f"{base}?filter[face_count]=0:3")
    assert doc["data"] == []  # faces were never analysed: no count to match
    for bad in ("filter[face_count]=a:b", "sort=name", "page[limit]=0"):
        assert (await stack.call("GET", f"{base}?{bad}"))[0] == 400, bad
    assert (await stack.call("GET", base, key=SOURCES_ONLY))[0] == 403


async def test_patch_user_fields_and_filter_on_them(stack: Stack) -> None:
    source_id = await served(stack, photo_jpg=jpeg_with_dpi(), p_png=image_bytes())
    asset_id = f"{source_id}/photo.jpg"
    body: dict[str, Any] = {
        "data": {
            "type": "assets",
            "id": asset_id,
            "attributes": {
                "categories": ["Summer Photos", "Pet Photos"],
                "custom_fields": {"Photographer": "Molly", "SKU": 1234},
                "description": "a grey field",
                "name": "Field",
                "tags": {"Dog": 0.9},
            },
        }
    }
    assert (await stack.call("PATCH", f"/api/v1/assets/{asset_id}", key=BROWSE_ONLY, body=body))[
        0
    ] == 403
    status, doc = await stack.call("PATCH", f"/api/v1/assets/{asset_id}", key=EDITOR, body=body)
    assert status == 200 and doc["data"]["attributes"]["categories"] == [
        "Summer Photos",
        "Pet Photos",
    ]
    base = f"/api/v1/assets/{source_id}"
    for query in (
        "filter[categories]=summer",
        "filter[custom:Photographer]=Molly",
        "filter[custom:SKU]=",
        "filter[keyword]=grey",
        "filter[tags]=dog",
    ):
        _, doc = await stack.call("GET", f"{base}?{query}", key=EDITOR)  # Edit implies Browse
        assert [r["id"] for r in doc["data"]] == [asset_id], query
    _, doc = await stack.call("GET", f"{base}?filter[custom:Photographer]=Sam")
    assert doc["data"] == []
    for attrs, expected in (
        ({"media_width": 3}, 400),
        ({"tags": {"x": 2}}, 400),
        ({"categories": "x"}, 400),
    ):
        body["data"]["attributes"] = attrs
        assert (await stack.call("PATCH", f"/api/v1/assets/{asset_id}", body=body))[0] == expected
    body["data"]["id"] = f"{source_id}/p.png"
    assert (await stack.call("PATCH", f"/api/v1/assets/{asset_id}", body=body))[0] == 409


async def test_refresh_reprocesses_a_changed_original_and_purges_it(stack: Stack) -> None:
    source_id = await served(stack, cat_png=image_bytes((40, 20)))
    stack.folder.put("/images/cat.png", image_bytes((80, 20)))
    _, _, headers = await stack.get("/cat.png?w=5")
    assert "hit" in headers["Cache-Status"].split(",")[-1]
    status, doc = await stack.call(
        "POST", f"/api/v1/sources/{source_id}/assets/refresh/cat.png", key=EDITOR, body={}
    )
    assert status == 200 and doc["data"]["attributes"]["media_width"] == 80
    await stack.clock.advance(100)
    _, _, headers = await stack.get("/cat.png?w=5")
    assert "hit" not in headers["Cache-Status"].split(",")[-1]


async def test_upload_puts_bytes_in_the_bucket_with_the_upload_credentials(
    stack: Stack, moto_server: Any
) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="uploads")
    source_id = await stack.create_source(
        "s3",
        "up",
        type="s3",
        s3_bucket="uploads",
        s3_prefix="pre",
        s3_access_key="reader",
        s3_secret_key="r",
    )
    url = f"{stack.api}/api/v1/sources/{source_id}/upload/marketing/logo.png"
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    async with stack.http.post(url, data=image_bytes((33, 22)), headers=headers) as r:
        assert r.status == 400  # no upload credentials yet
    patch = {
        "data": {
            "type": "sources",
            "id": source_id,
            "attributes": {
                "upload_credentials": {
                    "type": "s3",
                    "s3_access_key": "writer",
                    "s3_secret_key": "w",
                }
            },
        }
    }
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    assert status == 200 and doc["data"]["attributes"]["deployment"]["allows_upload"] is True
    assert "upload_credentials" not in doc["data"]["attributes"] and "writer" not in str(doc)
    async with stack.http.post(url, data=image_bytes((33, 22)), headers=headers) as r:
        doc = await r.json(content_type=None)
        assert r.status == 200, doc
    a = doc["data"]["attributes"]
    assert (a["origin_path"], a["media_width"], a["uploaded_by_api"]) == (
        "/marketing/logo.png",
        33,
        True,
    )
    stored = s3.get_object(Bucket="uploads", Key="pre/marketing/logo.png")
    assert stored["ContentType"] == "image/png"
    status, _, _ = await stack.get("/marketing/logo.png?w=11", subdomain="up")
    assert status == 200
    web = await stack.create_source("w", "webby")
    async with stack.http.post(
        f"{stack.api}/api/v1/sources/{web}/upload/a.png", data=b"x", headers=headers
    ) as r:
        assert r.status == 400


async def test_cursor_total_records_stops_at_1001_past_a_thousand_uploads(
    stack: Stack, moto_server: Any
) -> None:
    """1,002 real uploads (S3 puts through the API, measured, purged), sent concurrently."""
    s3 = boto3.client(
        "s3",
        endpoint_url=moto_server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )
    s3.create_bucket(Bucket="many")
    source_id = await stack.create_source(
        "s3", "many", type="s3", s3_bucket="many", s3_access_key="reader", s3_secret_key="r"
    )
    patch = {
        "data": {
            "type": "sources",
            "id": source_id,
            "attributes": {
                "upload_credentials": {
                    "type": "s3",
                    "s3_access_key": "writer",
                    "s3_secret_key": "w",
                }
            },
        }
    }
    assert (await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch))[0] == 200
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    png = image_bytes((1, 1))
    gate = asyncio.Semaphore(24)

    async def upload(n: int) -> int:
        async with (
            gate,
            stack.http.post(
                f"{stack.api}/api/v1/sources/{source_id}/upload/a/{n:04d}.png",
                data=png,
                headers=headers,
            ) as r,
        ):
            return r.status

    statuses = await asyncio.gather(*(upload(n) for n in range(1002)))
    assert set(statuses) == {200}
    base = f"/api/v1/sources/{source_id}/assets?page[limit]=100"
    _, doc = await stack.call("GET", f"{base}&page[cursor]=1000", key=BROWSE_ONLY)
    assert doc["meta"]["cursor"]["totalRecords"] == "1001"  # there are 1,002
    assert doc["meta"]["cursor"]["hasMore"] is False and len(doc["data"]) == 2
    seen, cursor = set(), "0"
    while cursor is not None:
        _, doc = await stack.call("GET", f"{base}&page[cursor]={cursor}&fields[assets]=origin_path")
        seen |= {r["attributes"]["origin_path"] for r in doc["data"]}
        cursor = doc["meta"]["cursor"]["next"]
    assert len(seen) == 1002  # paging still reaches every asset
    _, doc = await stack.call("GET", f"{base}&filter[origin_path]=/a/000")
    assert doc["meta"]["cursor"]["totalRecords"] == "10"  # under the cap it is exact
    listed = await asyncio.to_thread(s3.list_objects_v2, Bucket="many", Prefix="a/")
    assert listed["KeyCount"] == 1000 and listed["IsTruncated"] is True  # really in the bucket
