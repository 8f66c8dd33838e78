"""A server's fast lane (common.connection_protocols): when it may answer a request from
its bytes, and that a connection mixing its answers with aiohttp's keeps HTTP's order and
keep-alive rules. Real sockets; the lane here answers ``GET /fast`` only."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import pytest
from aiohttp import web

from common.serving import ConnectionLimits, ServedApp, serve

EOF_WAIT = 20.0  # a bound against a hang, never a measured duration
LANE_BODY = b"from the lane"
LANE_ANSWER = (
    b"HTTP/1.1 200 OK\r\nContent-Length: " + str(len(LANE_BODY)).encode() + b"\r\n\r\n" + LANE_BODY
)
FAST = b"GET /fast HTTP/1.1\r\nHost: x\r\n\r\n"
SLOW = b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"


def lane(data: bytes) -> tuple[bytes, bool] | None:
    lane.asked.append(data)  # type: ignore[attr-defined]
    return (LANE_ANSWER, b"close" not in data) if data.startswith(b"GET /fast ") else None


@pytest.fixture
async def served() -> AsyncIterator[ServedApp]:
    lane.asked = []  # type: ignore[attr-defined]

    async def answer(request: web.Request) -> web.Response:
        return web.Response(text=f"aiohttp {request.path}")

    app = web.Application()
    app.router.add_get("/{tail:.*}", answer)
    limits = ConnectionLimits(header_timeout=5.0, keepalive_timeout=0.3, max_connections=50)
    server = await serve(app, limits=limits, fast_lane=lane)
    yield server
    await server.close()


async def _answer(reader: asyncio.StreamReader) -> bytes:
    head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), EOF_WAIT)
    length = int(head.lower().split(b"content-length: ")[1].split(b"\r\n")[0])
    return await reader.readexactly(length)


async def test_the_lane_and_aiohttp_answer_one_connection_in_turn(served: ServedApp) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    bodies = []
    for request in (FAST, SLOW, FAST, SLOW, FAST):  # each sent once the previous is answered
        writer.write(request)
        bodies.append(await _answer(reader))
    assert bodies == [LANE_BODY, b"aiohttp /slow", LANE_BODY, b"aiohttp /slow", LANE_BODY]
    writer.close()


async def test_pipelined_requests_are_aiohttps_in_their_order(served: ServedApp) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(FAST + SLOW + FAST)  # three requests in one write
    assert [await _answer(reader) for _ in range(3)] == [
        b"aiohttp /fast",
        b"aiohttp /slow",
        b"aiohttp /fast",
    ]
    # Once aiohttp may hold part of a connection's bytes, the lane is never asked again.
    writer.write(FAST)
    assert await _answer(reader) == b"aiohttp /fast"
    assert lane.asked == []  # type: ignore[attr-defined]
    writer.close()


async def test_a_request_in_pieces_is_aiohttps(served: ServedApp) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    for piece in (FAST[:7], FAST[7:20], FAST[20:]):
        writer.write(piece)
        await writer.drain()
        await asyncio.sleep(0.05)  # the network's pauses between pieces, not a wait
    assert await _answer(reader) == b"aiohttp /fast"
    assert lane.asked == []  # type: ignore[attr-defined]
    writer.close()


async def test_a_request_with_a_body_is_aiohttps(served: ServedApp) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(b"GET /fast HTTP/1.1\r\nHost: x\r\nContent-Length: 0\r\n\r\n")
    assert await _answer(reader) == b"aiohttp /fast"
    assert lane.asked == []  # type: ignore[attr-defined]
    writer.close()


async def test_a_connection_the_lane_answered_is_closed_when_idle(served: ServedApp) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served.port)
    writer.write(FAST)
    assert await _answer(reader) == LANE_BODY
    # Idle for the keep-alive timeout (0.3 s here): the server closes it (EOF, no answer).
    assert await asyncio.wait_for(reader.read(), EOF_WAIT) == b""
    writer.close()
