"""Bad input never crashes a POP: malformed requests and refused methods get clear 4xx."""

from __future__ import annotations

import asyncio

import aiohttp
from yarl import URL

from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get


async def raw_request(url: str, payload: bytes) -> bytes:
    target = URL(url)
    reader, writer = await asyncio.open_connection(target.host, target.port)
    writer.write(payload)
    await writer.drain()
    data = await asyncio.wait_for(reader.read(65536), 5)
    writer.close()
    await writer.wait_closed()
    return data


async def test_malformed_request_line_gets_400_and_the_pop_keeps_serving(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    answer = await raw_request(url, b"GARBAGE\r\n\r\n")
    assert answer.split(b"\r\n")[0].endswith(b" 400 Bad Request")
    status, _, _ = await get(http, url + "/still-alive")
    assert status == 200


async def test_oversized_header_gets_a_4xx(origin: OriginDouble, make_edge: MakeEdge) -> None:
    edge = await make_edge(edge_settings(origin.url))
    payload = b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20000 + b"\r\n\r\n"
    answer = await raw_request(edge.pop_urls["pop-1"], payload)
    assert answer[9:10] == b"4"  # HTTP/1.1 4xx
    assert origin.count("/") == 0


async def test_a_method_cloudfront_does_not_allow_gets_405_json(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url))
    async with http.request("TRACE", edge.pop_urls["pop-1"] + "/x") as resp:
        assert resp.status == 405
        assert (await resp.json())["code"] == "method_not_allowed"
        assert "GET" in resp.headers["Allow"]


async def test_a_body_over_the_limit_gets_413_json(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, max_request_bytes=1000))
    async with http.post(edge.pop_urls["pop-1"] + "/upload", data=b"x" * 5000) as resp:
        assert resp.status == 413
        assert (await resp.json())["code"] == "payload_too_large"
    assert origin.count("/upload") == 0


async def test_an_origin_response_over_the_object_limit_gets_502(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/huge", body=b"x" * 10000)
    edge = await make_edge(edge_settings(origin.url, max_object_bytes=1000))
    async with http.get(edge.pop_urls["pop-1"] + "/huge") as resp:
        assert resp.status == 502
        body = await resp.json()
        assert body["code"] == "origin_response_too_large" and "exceeds" in body["message"]


async def test_an_origin_speaking_garbage_gets_502(
    make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    async def garbage(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(b"THIS IS NOT HTTP\r\n\r\n")
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(garbage, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        edge = await make_edge(edge_settings(f"http://127.0.0.1:{port}"))
        async with http.get(edge.pop_urls["pop-1"] + "/x") as resp:
            assert resp.status == 502
            body = await resp.json()
            assert body["code"] == "origin_invalid_response" and body["status"] == 502
    finally:
        server.close()
        await server.wait_closed()
