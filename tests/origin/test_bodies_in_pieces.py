"""Origin bodies as networks deliver them: a 2.5 MB upload sent at once, in 512-byte
pieces and chunked, reads back byte for byte; JSON bodies in pieces; fetchImage from an
origin that answers in pieces, with and without a Content-Length."""

from __future__ import annotations

import json
from dataclasses import replace
from typing import Any

import pytest

from tests.origin.pack_fixtures import create_pack, start_origin, upload
from tests.wire import TrickleOrigin, noise_image, send_in_pieces

BOUNDARY = "cdnsim-test-boundary"
ORIGINAL = noise_image((920, 920))  # a PNG of about 2.5 MB


def multipart_body(data: bytes, field: str = "file") -> bytes:
    head = (
        f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{field}"; '
        f'filename="big.png"\r\nContent-Type: image/png\r\n\r\n'
    ).encode()
    return head + data + f"\r\n--{BOUNDARY}--\r\n".encode()


async def _read_back(client: Any, headers: dict[str, str], pack_id: str) -> bytes:
    pack = await (await client.get(f"/adminAPI/imagePack/{pack_id}", headers=headers)).json()
    image_id = pack["imageLocations"]["main"]["imageId"]
    response = await client.get(f"/adminAPI/image/{image_id}", headers=headers)
    assert response.status == 200
    return bytes(await response.read())


async def test_a_25_mb_upload_sent_at_once_reads_back_byte_for_byte(origin_client, admin_headers):
    assert len(ORIGINAL) > 2_500_000
    pack = await create_pack(origin_client, admin_headers)
    response = await upload(origin_client, admin_headers, pack["id"], "main", ORIGINAL)
    assert response.status == 200, await response.text()
    assert await _read_back(origin_client, admin_headers, pack["id"]) == ORIGINAL


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_25_mb_upload_in_512_byte_pieces_reads_back_byte_for_byte(
    origin_client, admin_headers, chunked: bool
):
    pack = await create_pack(origin_client, admin_headers)
    url = origin_client.make_url(f"/adminAPI/imagePack/{pack['id']}/main/upload")
    headers = {**admin_headers, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
    answer = await send_in_pieces(
        str(url), "POST", multipart_body(ORIGINAL), headers, pause_every=16, chunked=chunked
    )
    assert answer.status == 200, answer.body[:300]
    assert await _read_back(origin_client, admin_headers, pack["id"]) == ORIGINAL


async def test_a_json_body_in_512_byte_pieces_is_stored_as_sent(origin_client, admin_headers):
    configs = [{"name": f"loc-{n:03d}", "width": 100 + n, "height": 50 + n} for n in range(300)]
    body = json.dumps(configs).encode()
    assert len(body) > 20 * 512
    url = origin_client.make_url("/adminAPI/imageLocationConfigs")
    headers = {**admin_headers, "Content-Type": "application/json"}
    answer = await send_in_pieces(str(url), "PUT", body, headers, pause=0.001)
    assert answer.status == 200, answer.body[:300]
    stored = await (
        await origin_client.get("/adminAPI/imageLocationConfigs", headers=admin_headers)
    ).json()
    assert [(c["name"], c["width"], c["height"]) for c in stored] == [
        (c["name"], c["width"], c["height"]) for c in configs
    ]


async def _fetch_image(
    client: Any, headers: dict[str, str], origin: TrickleOrigin, framing: Any
) -> tuple[dict[str, Any], Any]:
    """A new pack whose main location fetches a 2.5 MB PNG that ``origin`` trickles."""
    origin.framing = framing
    origin.files["/big.png"] = (ORIGINAL, "image/png")
    pack = await create_pack(client, headers)
    response = await client.post(
        f"/adminAPI/imagePack/{pack['id']}/main/fetchImage",
        params={"imageUrl": origin.url + "/big.png"},
        headers=headers,
    )
    return pack, response


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_fetch_image_from_an_origin_answering_in_pieces_stores_every_byte(
    aiohttp_client, origin_settings, clock, events, storage, admin_headers, trickle_origin, framing
):
    settings = replace(origin_settings, fetch_allowed_hosts=("127.0.0.1",))
    client = await start_origin(aiohttp_client, settings, clock, events, storage)
    pack, response = await _fetch_image(client, admin_headers, trickle_origin, framing)
    assert response.status == 200, await response.text()
    assert await _read_back(client, admin_headers, pack["id"]) == ORIGINAL


async def test_fetch_image_from_an_origin_that_cuts_the_body_stores_nothing(
    aiohttp_client, origin_settings, clock, events, storage, admin_headers, trickle_origin
):
    settings = replace(origin_settings, fetch_allowed_hosts=("127.0.0.1",))
    client = await start_origin(aiohttp_client, settings, clock, events, storage)
    pack, response = await _fetch_image(client, admin_headers, trickle_origin, "cut")
    assert response.status == 422
    assert (await response.json())["code"] == "fetch_failed"
    stored = await (
        await client.get(f"/adminAPI/imagePack/{pack['id']}", headers=admin_headers)
    ).json()
    assert "main" not in stored.get("imageLocations", {})
