"""imgix bodies as networks deliver them: JSON:API documents and a 2.5 MB upload sent in
pieces are stored as sent; web-folder, web-proxy and S3 originals of 3 MB answered in
pieces render from every byte; upload names and contents that imgix would refuse are a
400 JSON:API error with nothing written, stored or purged."""

from __future__ import annotations

import io
import json
from typing import Any
from urllib.parse import quote

import boto3
import pytest
from PIL import Image

from tests.vendors.imgix.conftest import ADMIN, EDITOR, Stack, decoded
from tests.wire import TrickleOrigin, noise_image, send_in_pieces

BIG = noise_image((1000, 1000))  # a PNG of about 3 MB
UPLOAD = noise_image((920, 920), seed=3)  # a PNG of about 2.5 MB
JSONAPI = {"Authorization": f"Bearer {ADMIN}", "Content-Type": "application/vnd.api+json"}


def _pixels(data: bytes) -> bytes:
    return decoded(data).convert("RGB").tobytes()


def _s3(moto_server: Any) -> Any:
    return boto3.client("s3", endpoint_url=moto_server.url, region_name="us-east-1",
                        aws_access_key_id="testing", aws_secret_access_key="testing")  # fmt: skip


async def _upload_source(stack: Stack, moto_server: Any) -> str:
    _s3(moto_server).create_bucket(Bucket="uploads")
    source_id = await stack.create_source("s3", "up", type="s3", s3_bucket="uploads",
                                          s3_prefix="pre", s3_access_key="testing",
                                          s3_secret_key="testing")  # fmt: skip
    credentials = {"type": "s3", "s3_access_key": "testing", "s3_secret_key": "testing"}
    patch = {"data": {"type": "sources", "id": source_id,
                      "attributes": {"upload_credentials": credentials}}}  # fmt: skip
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    assert status == 200, doc
    return source_id


def _stored(moto_server: Any) -> list[str]:
    listing = _s3(moto_server).list_objects_v2(Bucket="uploads")
    return [o["Key"] for o in listing.get("Contents", [])]


async def test_a_source_document_sent_in_64_byte_pieces_is_created_as_sent(stack: Stack):
    deployment = {"type": "webfolder", "imgix_subdomains": ["pieces"],
                  "webfolder_base_url": stack.folder.url + "/images/"}  # fmt: skip
    body = json.dumps(
        {"data": {"type": "sources", "attributes": {"name": "in pieces", "deployment": deployment}}}
    )
    answer = await send_in_pieces(stack.api + "/api/v1/sources", "POST", body.encode(), JSONAPI,
                                  piece=64, pause=0.002)  # fmt: skip
    assert answer.status == 201, answer.body[:300]
    created = json.loads(answer.body)["data"]["attributes"]
    assert created["name"] == "in pieces"
    assert created["deployment"]["webfolder_base_url"] == deployment["webfolder_base_url"]


async def test_a_25_mb_upload_sent_at_once_is_stored_byte_for_byte(stack: Stack, moto_server):
    source_id = await _upload_source(stack, moto_server)
    url = f"{stack.api}/api/v1/sources/{source_id}/upload/big/once.png"
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    async with stack.http.post(url, data=UPLOAD, headers=headers) as r:
        doc = await r.json(content_type=None)
        assert r.status == 200, doc
    assert doc["data"]["attributes"]["file_size"] == len(UPLOAD) > 2_500_000
    stored = _s3(moto_server).get_object(Bucket="uploads", Key="pre/big/once.png")
    assert stored["Body"].read() == UPLOAD and stored["ContentType"] == "image/png"


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_25_mb_upload_in_512_byte_pieces_is_stored_byte_for_byte(
    stack: Stack, moto_server, chunked: bool
):
    source_id = await _upload_source(stack, moto_server)
    url = f"{stack.api}/api/v1/sources/{source_id}/upload/big/pieces.png"
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    answer = await send_in_pieces(url, "POST", UPLOAD, headers, pause_every=16, chunked=chunked)
    assert answer.status == 200, answer.body[:300]
    assert json.loads(answer.body)["data"]["attributes"]["file_size"] == len(UPLOAD)
    stored = _s3(moto_server).get_object(Bucket="uploads", Key="pre/big/pieces.png")
    assert stored["Body"].read() == UPLOAD
    status, body, _ = await stack.get("/big/pieces.png?fm=png", subdomain="up")
    assert status == 200 and _pixels(body) == _pixels(UPLOAD)


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_3_mb_web_folder_original_answered_in_pieces_renders_whole(
    stack: Stack, trickle_origin: TrickleOrigin, framing: str
):
    trickle_origin.framing = framing  # type: ignore[assignment]
    trickle_origin.files["/images/big.png"] = (BIG, "image/png")
    await stack.create_source("slow", "slow", webfolder_base_url=trickle_origin.url + "/images/")
    status, body, headers = await stack.get("/big.png?fm=png", subdomain="slow")
    assert status == 200 and "X-Imgix-Fallback" not in headers
    assert _pixels(body) == _pixels(BIG)
    status, body, _ = await stack.get("/big.png?w=300", subdomain="slow")
    assert status == 200 and decoded(body).width == 300


async def test_a_3_mb_web_proxy_original_answered_in_pieces_renders_whole(
    stack: Stack, trickle_origin: TrickleOrigin
):
    trickle_origin.framing = "chunked"
    trickle_origin.files["/far/big.png"] = (BIG, "image/png")
    await stack.create_source("proxy", "prox", type="webproxy")
    target = quote(f"{trickle_origin.url}/far/big.png", safe="")
    status, body, _ = await stack.get(f"/{target}?fm=png", subdomain="prox")
    assert status == 200 and _pixels(body) == _pixels(BIG)


async def test_an_original_cut_short_is_a_502_not_a_truncated_render(
    stack: Stack, trickle_origin: TrickleOrigin
):
    trickle_origin.framing = "cut"
    trickle_origin.files["/images/big.png"] = (BIG, "image/png")
    await stack.create_source("slow", "slow", webfolder_base_url=trickle_origin.url + "/images/")
    status, body, _ = await stack.get("/big.png?w=300", subdomain="slow")
    assert status == 502 and b"origin body refused" in body


async def test_a_3_mb_s3_original_renders_whole(stack: Stack, moto_server):
    s3 = _s3(moto_server)
    s3.create_bucket(Bucket="pictures")
    s3.put_object(Bucket="pictures", Key="base/big.png", Body=BIG)
    await stack.create_source("s3", "bucket", type="s3", s3_bucket="pictures", s3_prefix="base",
                              s3_access_key="testing", s3_secret_key="testing")  # fmt: skip
    status, body, _ = await stack.get("/big.png?fm=png", subdomain="bucket")
    assert status == 200 and _pixels(body) == _pixels(BIG)


def _svg() -> bytes:
    return (
        b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10"><script>x()</script></svg>'
    )


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (20, 10), (1, 2, 3)).save(out, "JPEG")
    return out.getvalue()


PNG = noise_image((30, 20))
REFUSED_NAMES = [
    ("%2E%2E/%2E%2E/x.png", "'.' or '..'"),
    ("a/%2E%2E/b.png", "'.' or '..'"),
    ("a/./b.png", "'.' or '..'"),
    ("x%00y.png", "control characters"),
    ("x%0Ay.png", "control characters"),
    ("a//b.png", "empty segments"),
    ("folder/", "empty segments"),
    ("a" * 4001 + ".png", "1024 bytes"),
    ("%C3%A9" * 511 + ".png", "1024 bytes"),
]


@pytest.mark.parametrize(("name", "why"), REFUSED_NAMES)
async def test_an_upload_name_imgix_would_refuse_is_a_400_before_anything_is_written(
    stack: Stack, moto_server, name: str, why: str
):
    source_id = await _upload_source(stack, moto_server)
    await _refused(stack, moto_server, f"/api/v1/sources/{source_id}/upload/{name}", PNG,
                   "image/png", why)  # fmt: skip


REFUSED_CONTENT = [
    (b"<!doctype html><html><script>alert(1)</script></html>", "text/html", "not an image"),
    (_svg(), "image/svg+xml", "not an image"),
    (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj", "application/pdf", "not an image"),
    (PNG[: len(PNG) // 2], "image/png", "not an image"),
    (b"", "image/png", "needs a body"),
    (_jpeg(), "image/png", "the Content-Type says"),
    (PNG, "text/html", "the Content-Type says"),
]


@pytest.mark.parametrize(("body", "declared", "why"), REFUSED_CONTENT)
async def test_an_upload_that_is_not_the_image_it_claims_is_a_400_and_nothing_is_written(
    stack: Stack, moto_server, body: bytes, declared: str, why: str
):
    source_id = await _upload_source(stack, moto_server)
    await _refused(stack, moto_server, f"/api/v1/sources/{source_id}/upload/a/b.png", body,
                   declared, why)  # fmt: skip


async def _refused(stack: Stack, moto_server: Any, path: str, body: bytes, declared: str,
                   why: str) -> None:  # fmt: skip
    purges_before = len(stack.events.read(kinds=["purge"]))
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": declared}
    # A raw request: an HTTP client would resolve the dots before sending.
    answer = await send_in_pieces(stack.api + path, "POST", body, headers)
    assert answer.status == 400, answer.body[:300]
    assert answer.headers["Content-Type"].startswith("application/vnd.api+json")
    (error,) = json.loads(answer.body)["errors"]
    assert error["status"] == "400" and error["title"] == "BadRequest" and why in error["detail"]
    assert _stored(moto_server) == []
    assert stack.service.backend.assets.by_id == {}
    assert len(stack.events.read(kinds=["purge"])) == purges_before


@pytest.mark.parametrize("declared", ["image/jpeg", "image/jpg", "application/octet-stream", ""])
async def test_an_upload_declared_as_its_own_type_or_as_raw_bytes_is_accepted(
    stack: Stack, moto_server, declared: str
):
    source_id = await _upload_source(stack, moto_server)
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": declared}
    url = f"{stack.api}/api/v1/sources/{source_id}/upload/photo.jpg"
    async with stack.http.post(url, data=_jpeg(), headers=headers) as r:
        assert r.status == 200, await r.text()
    stored = _s3(moto_server).get_object(Bucket="uploads", Key="pre/photo.jpg")
    assert stored["ContentType"] == "image/jpeg"
