"""A POP's fast lane (edge.fast_lane) through a real POP before a real origin: a hit from
the lane is the answer aiohttp's path gives (status, every header but Date, body, counters,
events), what the lane leaves to aiohttp is answered as before, and a purge reaches what
the lane serves. Raw sockets, so that each request's bytes are exactly what is tested."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest
from multidict import CIMultiDict

from common.clock import Clock
from common.events import EventLog
from edge.stack import Edge
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble

EOF_WAIT = 20.0
CACHEABLE = {"Cache-Control": "max-age=3600", "Content-Type": "image/jpeg", "ETag": '"v1"'}


async def _exchange(url: str, *requests: bytes) -> list[tuple[str, CIMultiDict[str], bytes]]:
    """Each request on one connection, sent once the previous one is answered."""
    port = int(url.rsplit(":", 1)[1])
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    answers = []
    try:
        for request in requests:
            writer.write(request)
            head = await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), EOF_WAIT)
            status, *lines = head[:-4].decode().split("\r\n")
            fields = CIMultiDict(line.split(": ", 1) for line in lines)
            length = 0 if request.startswith(b"HEAD") else int(fields.get("Content-Length", "0"))
            answers.append((status, fields, await reader.readexactly(length)))
    finally:
        writer.close()
    return answers


def _get(path: str, *fields: str) -> bytes:
    return "\r\n".join([f"GET {path} HTTP/1.1", "Host: 127.0.0.1", *fields, "", ""]).encode()


async def _stats(edge: Edge) -> dict[str, int]:
    url = f"{edge.control_url}/_edge/pops/pop-1/stats"
    async with aiohttp.ClientSession() as http, http.get(url) as response:
        return dict(await response.json())


async def test_a_hit_from_the_lane_is_the_answer_aiohttp_gives(
    origin: OriginDouble, make_edge: MakeEdge, events: EventLog, clock: Clock
) -> None:
    origin.reply("/a.jpg", headers=CACHEABLE)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    (miss,) = await _exchange(url, _get("/a.jpg"))
    await clock.advance(7)
    # "Keep-Alive: timeout=5" changes nothing for the POP but is left to aiohttp's path.
    lane, aiohttp_path = await _exchange(
        url,
        _get("/a.jpg", "User-Agent: t"),
        _get("/a.jpg", "User-Agent: t", "Keep-Alive: timeout=5"),
    )
    assert miss[1]["X-Cache"] == "Miss from cdnsim"

    def comparable(answer: tuple[str, CIMultiDict[str], bytes]) -> tuple[object, ...]:
        status, fields, body = answer
        return status, sorted((k, v) for k, v in fields.items() if k != "Date"), body

    assert comparable(lane) == comparable(aiohttp_path)
    assert lane[1]["Age"] == "7" and lane[1]["X-Cache"] == "Hit from cdnsim"
    assert lane[1]["Cache-Status"] == "pop-1; hit; ttl=3593" and lane[2] == b"body#1"
    stats = await _stats(edge)
    assert (stats["requests"], stats["hits"], stats["misses"], stats["fast_lane"]) == (3, 2, 1, 1)
    assert stats["bytes"] == 3 * len(b"body#1")
    hits = events.read(kinds=["hit"])
    assert [(e.data["age"], e.data["user_agent"]) for e in hits] == [(7, "t"), (7, "t")]


@pytest.mark.parametrize(
    ("request_bytes", "status"),
    [
        (_get("/a.jpg", "Range: bytes=0-1"), "HTTP/1.1 206 Partial Content"),
        (_get("/a.jpg", 'If-None-Match: "v1"'), "HTTP/1.1 304 Not Modified"),
        (_get("/a.jpg", "X-Cdnsim-Debug: 1"), "HTTP/1.1 200 OK"),
        (b"GET /a.jpg HTTP/1.0\r\nHost: 127.0.0.1\r\n\r\n", "HTTP/1.0 200 OK"),
        (b"HEAD /a.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n", "HTTP/1.1 200 OK"),
        (
            b"GET /a.jpg HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Name: caf\xc3\xa9\r\n\r\n",
            "HTTP/1.1 200 OK",
        ),
    ],
)
async def test_what_the_lane_leaves_is_answered_as_before(
    origin: OriginDouble, make_edge: MakeEdge, request_bytes: bytes, status: str
) -> None:
    origin.reply("/a.jpg", headers=CACHEABLE)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    await _exchange(url, _get("/a.jpg"))
    answers = await _exchange(url, request_bytes)
    assert answers[0][0] == status
    stats = await _stats(edge)
    assert (stats["hits"], stats["fast_lane"]) == (1, 0)


async def test_misses_and_hits_share_a_connection_in_order(
    origin: OriginDouble, make_edge: MakeEdge
) -> None:
    for path in ("/a", "/b", "/c"):
        origin.reply(path, headers=CACHEABLE, body=path.encode())
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    order = ["/a", "/a", "/b", "/a", "/b", "/c", "/c"]  # miss, hit, miss, hit, hit, miss, hit
    answers = await _exchange(url, *(_get(p) for p in order))
    assert [body for _, _, body in answers] == [f"{p}#1".encode() for p in order]
    assert [f["X-Cache"].split()[0] for _, f, _ in answers] == [
        "Miss", "Hit", "Miss", "Hit", "Hit", "Miss", "Hit"
    ]  # fmt: skip
    stats = await _stats(edge)
    assert (stats["misses"], stats["hits"], stats["fast_lane"]) == (3, 4, 4)


async def test_a_purge_reaches_what_the_lane_serves(
    origin: OriginDouble, make_edge: MakeEdge
) -> None:
    origin.reply("/p", headers=CACHEABLE)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    first = await _exchange(url, _get("/p"), _get("/p"))
    assert [body for _, _, body in first] == [b"body#1", b"body#1"]
    await edge.pops["pop-1"].purge(["/p"])
    again = await _exchange(url, _get("/p"), _get("/p"))
    assert [body for _, _, body in again] == [b"body#2", b"body#2"]
    assert [f["X-Cache"] for _, f, _ in again] == ["Miss from cdnsim", "Hit from cdnsim"]
