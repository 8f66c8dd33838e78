"""Image Manager bodies as networks deliver them: policies and collections sent in
512-byte pieces are stored as sent; pristine and composite images that the origin answers
in pieces (with a length, chunked, or cut short) are rendered from every byte, never a
fallback made of the first buffer."""

from __future__ import annotations

import io
import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
from PIL import Image

from common.clock import Clock
from common.events import EventLog
from tests.vendors.akamai.conftest import TOKEN, ImagingStack, decoded, imaging_stack
from tests.wire import TrickleOrigin, noise_image, send_in_pieces

AUTH = {"Luna-Token": TOKEN, "Content-Type": "application/json"}
BIG = noise_image((1000, 1000))  # a PNG of about 3 MB
LAYER = noise_image((200, 150), seed=2)  # about 90 KB: several pieces


@pytest.fixture
async def trickling(
    trickle_origin: TrickleOrigin, clock: Clock, events: EventLog
) -> AsyncIterator[ImagingStack]:
    trickle_origin.files["/photos/big.png"] = (BIG, "image/png")
    trickle_origin.files["/photos/layer.png"] = (LAYER, "image/png")
    trickle_origin.files["/photos/plain.png"] = (_plain((400, 300)), "image/png")
    async with imaging_stack(trickle_origin, clock, events) as stack:
        yield stack


def _plain(size: tuple[int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, (10, 200, 10)).save(out, "PNG")
    return out.getvalue()


def _pixels(data: bytes) -> bytes:
    return decoded(data).convert("RGB").tobytes()


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_3_mb_pristine_image_in_pieces_renders_without_fallback(
    trickling: ImagingStack, framing: str
):
    trickling.origin.framing = framing  # type: ignore[attr-defined]
    assert len(BIG) > 3_000_000
    await trickling.put_policy("lossless", {"output": {"allowedFormats": ["png"]}})
    response, body = await trickling.get(
        trickling.delivery("/photos/big.png?impolicy=lossless&imformat=generic")
    )
    assert response.status == 200
    assert "X-Akamai-Im-Fallback" not in response.headers
    assert response.headers["X-Akamai-Im-Format"] == "png"
    assert _pixels(body) == _pixels(BIG)
    response, body = await trickling.get(trickling.delivery("/photos/big.png?imwidth=320"))
    assert response.status == 200 and "X-Akamai-Im-Fallback" not in response.headers
    assert decoded(body).width == 320


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_composite_layer_answered_in_pieces_is_composed_whole(
    trickling: ImagingStack, framing: str
):
    trickling.origin.framing = framing  # type: ignore[attr-defined]
    origin_url = trickling.origin.url
    policy = {
        "hosts": [origin_url.removeprefix("http://")],
        "output": {"allowedFormats": ["png"]},
        "transformations": [{"transformation": "Composite", "gravity": "NorthWest",
                             "image": {"url": f"{origin_url}/photos/layer.png"}}],
    }  # fmt: skip
    await trickling.put_policy("layered", policy)
    response, body = await trickling.get(
        trickling.delivery("/photos/plain.png?impolicy=layered&imformat=generic")
    )
    assert response.status == 200 and "X-Akamai-Im-Fallback" not in response.headers
    out = decoded(body).convert("RGB")
    assert out.size == (400, 300)
    assert out.crop((0, 0, 200, 150)).tobytes() == _pixels(LAYER)
    assert out.getpixel((399, 299)) == (10, 200, 10)


async def test_a_pristine_image_cut_short_is_a_502_never_a_fallback_of_the_first_bytes(
    trickling: ImagingStack,
):
    trickling.origin.framing = "cut"  # type: ignore[attr-defined]
    response, body = await trickling.get(trickling.delivery("/photos/big.png?imwidth=320"))
    assert response.status == 502
    assert "X-Akamai-Im-Fallback" not in response.headers
    assert len(body) < 10_000


async def test_a_policy_sent_in_512_byte_pieces_is_stored_as_sent(imaging: ImagingStack):
    variables = [
        {"name": f"variable{n:03d}", "type": "number", "defaultValue": str(1000 + n)}
        for n in range(400)
    ]
    body = json.dumps({"variables": variables}).encode()
    assert len(body) > 20 * 512
    answer = await send_in_pieces(
        imaging.api("/imaging/v2/policies/pieces"), "PUT", body, AUTH, pause=0.001
    )
    assert answer.status == 201, answer.body[:300]
    async with imaging.http.get(imaging.api("/imaging/v2/policies/pieces"), headers=AUTH) as r:
        assert (await r.json())["variables"] == variables


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_collection_sent_in_512_byte_pieces_is_stored_as_sent(
    imaging: ImagingStack, chunked: bool
):
    items = [{"type": "image", "url": f"/photos/{n:04d}.jpg"} for n in range(400)]
    body = json.dumps({"id": "pieces", "definition": {"items": items}}).encode()
    answer = await send_in_pieces(
        imaging.api("/imaging/v0/imagecollections"), "PUT", body, AUTH, chunked=chunked
    )
    assert answer.status == 200, answer.body[:300]
    url = imaging.api("/imaging/v0/imagecollections/pieces")
    async with imaging.http.get(url, headers=AUTH) as r:
        assert (await r.json())["definition"]["items"] == items


@pytest.mark.parametrize("bad_type", [[], {}, ["image"], {"image": 1}, 3, None])
async def test_a_collection_item_type_that_is_not_a_string_is_a_400(
    imaging: ImagingStack, bad_type: Any
):
    body = {"id": "odd", "definition": {"items": [{"type": bad_type, "url": "/a.jpg"}]}}
    async with imaging.http.put(
        imaging.api("/imaging/v0/imagecollections"), json=body, headers=AUTH
    ) as r:
        assert r.status == 400
        assert r.content_type == "application/api-problem+json"
        assert (await r.json())["httpStatus"] == 400
    async with imaging.http.get(imaging.api("/imaging/v0/imagecollections"), headers=AUTH) as r:
        assert (await r.json())["items"] == []
