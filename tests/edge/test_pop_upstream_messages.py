"""Through a POP, what upstream messages carry: Authorization (RFC 9111 §3.5), fields
named in Connection (RFC 9110 §7.6.1), a body longer than its Content-Length (RFC 9112
§6.3) and interim 1xx responses (RFC 9110 §15.2)."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import aiohttp
import pytest

from common.events import EventLog
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.raw_origin import RawOrigin, Script
from tests.edge.test_pop_behaviour import wait_events
from tests.edge.test_pop_caching import get

AUTH = {"Authorization": "FOO"}


async def test_authorization_reaches_the_origin_and_its_answer_is_not_shared(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: object
) -> None:
    origin.reply("/me", headers={"Cache-Control": "max-age=3600"})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/me"
    _, _, headers = await get(http, url, headers=AUTH)
    assert origin.received[-1]["authorization"] == "FOO"
    assert "stored" not in headers["Cache-Status"]
    assert (await get(http, url))[1] == b"body#2"  # another request: not from the cache


@pytest.mark.parametrize(
    "directive", ["public, max-age=3600", "max-age=3600, must-revalidate", "s-maxage=3600"]
)
async def test_public_s_maxage_or_must_revalidate_let_it_be_stored(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, directive: str
) -> None:
    origin.reply("/shared", headers={"Cache-Control": directive})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/shared"
    await get(http, url, headers=AUTH)
    _, body, headers = await get(http, url)
    assert (body, headers["X-Cache"]) == (b"body#1", "Hit from cdnsim")


async def test_concurrent_requests_with_other_credentials_do_not_share_an_answer(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    reply = origin.reply("/me", headers={"Cache-Control": "max-age=3600"}, hang=True)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/me"
    tasks = [
        asyncio.create_task(get(http, url, headers={"Authorization": who}))
        for who in ("alice", "bob")
    ]
    await wait_events(events, "origin_fetch", 2)  # both in flight: neither joined the other
    reply.hang = False
    origin.release.set()
    results = await asyncio.gather(*tasks)
    assert [status for status, _, _ in results] == [200, 200]
    assert sorted(r["authorization"] for r in origin.received) == ["alice", "bob"]


async def test_the_cloudfront_profile_forwards_authorization_only_in_the_key(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="cloudfront"))
    await get(http, edge.pop_urls["pop-1"] + "/x", headers=AUTH)
    assert "authorization" not in origin.received[-1]


async def test_fields_named_in_connection_are_not_stored_or_forwarded(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply(
        "/c",
        headers={
            "Cache-Control": "max-age=3600",
            "Connection": "a, b",
            "a": "1",
            "b": "2",
            "c": "3",
        },
    )
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/c"
    for _ in range(2):  # the miss, then the hit
        _, _, headers = await get(
            http, url, headers={"Connection": "keep-alive, x-hop", "X-Hop": "1", "X-End": "2"}
        )
        assert headers["c"] == "3" and "a" not in headers and "b" not in headers
    assert "x-hop" not in origin.received[0] and origin.received[0]["x-end"] == "2"
    assert origin.count("/c") == 1


@pytest.fixture
async def raw_origin() -> AsyncIterator[list[RawOrigin]]:
    started: list[RawOrigin] = []
    yield started
    for server in started:
        await server.stop()


async def start(started: list[RawOrigin], script: Script) -> RawOrigin:
    server = RawOrigin(script)
    await server.start()
    started.append(server)
    return server


def longer_than_declared(number: int, head: bytes) -> list[bytes]:
    return [
        b"HTTP/1.1 200 OK\r\nContent-Length: 10\r\nCache-Control: max-age=60\r\n\r\n",
        b"0123456789" + f"EXTRA-{number}".encode(),
    ]


async def test_a_body_longer_than_its_content_length_is_cut_stored_and_served(
    raw_origin: list[RawOrigin], make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    server = await start(raw_origin, longer_than_declared)
    edge = await make_edge(edge_settings(server.url, profile="rfc9111"))
    pop = edge.pop_urls["pop-1"]
    status, body, headers = await get(http, pop + "/a")
    assert (status, body, headers["Content-Length"]) == (200, b"0123456789", "10")
    assert "; stored" in headers["Cache-Status"]
    assert (await get(http, pop + "/a"))[2]["X-Cache"] == "Hit from cdnsim"
    assert (await get(http, pop + "/b"))[1] == b"0123456789"
    assert server.connections == 2  # the garbage's connection was not reused
    assert [e.data["excess"] for e in events.read(kinds=["upstream_excess_bytes"])] == [7, 7]


async def test_garbage_in_pieces_after_the_body_is_dropped_too(
    raw_origin: list[RawOrigin], make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    def pieces(number: int, head: bytes) -> list[bytes]:
        whole = b"".join(longer_than_declared(number, head))
        return [whole[i : i + 7] for i in range(0, len(whole), 7)]

    server = await start(raw_origin, pieces)
    edge = await make_edge(edge_settings(server.url, profile="rfc9111"))
    for path in ("/a", "/b", "/c"):
        assert (await get(http, edge.pop_urls["pop-1"] + path))[1] == b"0123456789"
    assert server.connections == 3


def with_early_hints(number: int, head: bytes) -> list[bytes]:
    return [
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\nX-My-Header: test\r\n\r\n",
        b"HTTP/1.1 200 OK\r\nContent-Length: 2\r\nCache-Control: max-age=60\r\n\r\nok",
    ]


async def test_interim_responses_are_relayed_and_not_stored(
    raw_origin: list[RawOrigin], make_edge: MakeEdge
) -> None:
    server = await start(raw_origin, with_early_hints)
    edge = await make_edge(edge_settings(server.url, profile="rfc9111"))
    host, port = edge.pop_urls["pop-1"].removeprefix("http://").split(":")

    async def exchange(path: bytes, version: bytes) -> bytes:
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"GET " + path + b" " + version + b"\r\nHost: x\r\nConnection: close\r\n\r\n")
        data = await reader.read()
        writer.close()
        return data

    first = await exchange(b"/h", b"HTTP/1.1")
    assert first.startswith(
        b"HTTP/1.1 103 Early Hints\r\nLink: </style.css>; rel=preload; as=style\r\n"
        b"X-My-Header: test\r\n\r\nHTTP/1.1 200 OK\r\n"
    )
    assert first.endswith(b"\r\n\r\nok")
    hit = await exchange(b"/h", b"HTTP/1.1")  # the final response was stored, the 103 not
    assert hit.startswith(b"HTTP/1.1 200 OK\r\n") and b"Hit from cdnsim" in hit
    old = await exchange(b"/h10", b"HTTP/1.0")  # no 1xx for an HTTP/1.0 client
    assert old.startswith(b"HTTP/1.0 200 OK\r\n") and old.endswith(b"ok")
    assert len(server.heads) == 2
