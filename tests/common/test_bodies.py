"""The bounded body reader against bodies as networks deliver them: in 512-byte pieces
with pauses, chunked without a length, compressed, broken, and past the limit."""

from __future__ import annotations

import asyncio
import gzip
import hashlib
import json
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from yarl import URL

from common.bodies import UpstreamBodyError, read_request, read_response
from common.errors import json_errors
from tests.wire import TrickleOrigin, parse_response, send_in_pieces

LIMIT = 256 * 1024
BODY = bytes(range(256)) * 800  # 204,800 bytes


async def _digest(request: web.Request) -> web.Response:
    body = await read_request(request, LIMIT)
    return web.json_response({"size": len(body), "sha": hashlib.sha256(body).hexdigest()})


@pytest.fixture
async def reader_url(aiohttp_server: Any) -> str:
    app = web.Application(middlewares=[json_errors])
    app.router.add_post("/digest", _digest)
    server = await aiohttp_server(app)
    return str(server.make_url("/digest"))


def _expected(body: bytes) -> dict[str, Any]:
    return {"size": len(body), "sha": hashlib.sha256(body).hexdigest()}


@pytest.mark.parametrize("chunked", [False, True])
async def test_a_body_sent_in_512_byte_pieces_is_read_whole(reader_url: str, chunked: bool):
    answer = await send_in_pieces(reader_url, "POST", BODY, chunked=chunked)
    assert answer.status == 200
    assert json.loads(answer.body) == _expected(BODY)


async def test_a_declared_length_over_the_limit_is_a_413_before_reading(reader_url: str):
    async with aiohttp.ClientSession() as http, http.post(reader_url, data=b"x" * (LIMIT + 1)) as r:
        assert r.status == 413
        assert (await r.json())["code"] == "payload_too_large"


async def test_a_chunked_body_is_counted_while_read_and_refused_past_the_limit(reader_url: str):
    answer = await send_in_pieces(
        reader_url, "POST", b"y" * (LIMIT + 4096), chunked=True, piece=8192, pause=0
    )
    assert answer.status == 413


async def test_a_gzip_body_is_counted_after_decoding(reader_url: str):
    bomb = gzip.compress(b"\0" * (LIMIT * 4))
    headers = {"Content-Encoding": "gzip"}
    answer = await send_in_pieces(reader_url, "POST", bomb, headers, piece=1024)
    assert answer.status == 413
    fine = gzip.compress(BODY)
    answer = await send_in_pieces(reader_url, "POST", fine, headers)
    assert answer.status == 200 and json.loads(answer.body) == _expected(BODY)


@pytest.mark.parametrize("encoding", ["gzip", "deflate", "br"])
async def test_a_body_that_cannot_be_decoded_is_a_400(reader_url: str, encoding: str):
    answer = await send_in_pieces(
        reader_url, "POST", b"not compressed at all" * 50, {"Content-Encoding": encoding}
    )
    assert answer.status == 400
    assert b"malformed_request" in answer.body


async def test_broken_chunking_is_a_400(reader_url: str):
    url = URL(reader_url)
    reader, writer = await asyncio.open_connection(url.host, url.port)
    writer.write(
        b"POST /digest HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n"
        b"Connection: close\r\n\r\n5\r\nhello\r\nzz\r\nworld\r\n0\r\n\r\n"
    )
    await writer.drain()
    raw = await reader.read()
    writer.close()
    assert parse_response(raw).status == 400


@pytest.mark.parametrize("framing", ["length", "chunked"])
async def test_a_response_trickled_in_pieces_is_read_whole(
    trickle_origin: TrickleOrigin, framing: str
):
    trickle_origin.framing = framing  # type: ignore[assignment]
    trickle_origin.piece = 1000
    trickle_origin.files["/big.bin"] = (BODY, "application/octet-stream")
    async with aiohttp.ClientSession() as http, http.get(trickle_origin.url + "/big.bin") as r:
        assert await read_response(r, LIMIT) == BODY


async def test_a_response_past_the_limit_is_refused_counted_or_declared(
    trickle_origin: TrickleOrigin,
):
    trickle_origin.files["/big.bin"] = (BODY, "application/octet-stream")
    async with aiohttp.ClientSession() as http:
        for framing in ("length", "chunked"):
            trickle_origin.framing = framing  # type: ignore[assignment]
            async with http.get(trickle_origin.url + "/big.bin") as r:
                with pytest.raises(UpstreamBodyError) as refused:
                    await read_response(r, len(BODY) - 1)
                assert refused.value.kind == "too-large"


async def test_a_response_cut_short_is_malformed_not_a_short_body(trickle_origin: TrickleOrigin):
    trickle_origin.framing = "cut"
    trickle_origin.files["/big.bin"] = (BODY, "application/octet-stream")
    async with aiohttp.ClientSession() as http, http.get(trickle_origin.url + "/big.bin") as r:
        with pytest.raises(UpstreamBodyError) as broken:
            await read_response(r, LIMIT)
        assert broken.value.kind == "malformed"
