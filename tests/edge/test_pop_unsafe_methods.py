"""Through a POP: unsafe methods invalidate (RFC 9111 §4.4), unknown methods are forwarded."""

from __future__ import annotations

import asyncio

import aiohttp
import pytest

from common.events import EventLog
from edge.config import CachePolicy, PopSettings
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get

FRESH = {"Cache-Control": "max-age=100000"}


@pytest.mark.parametrize("method", ["POST", "PUT", "DELETE", "PATCH", "M-SEARCH"])
async def test_a_successful_unsafe_request_invalidates_the_uri(
    origin: OriginDouble,
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
    events: EventLog,
    method: str,
) -> None:
    origin.reply("/doc", headers=FRESH)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/doc"
    await get(http, url)
    async with http.request(method, url, data=b"abc") as resp:
        assert resp.status == 200 and await resp.read() == b"body#2"
    assert origin.requests_of("/doc")[-1] == (method, b"abc")
    _, body, headers = await get(http, url)
    assert body == b"body#3" and headers["X-Cache"] == "Miss from cdnsim"
    assert [e.data["uri"] for e in events.read(kinds=["invalidated"])] == ["/doc"]


async def test_a_failed_unsafe_request_invalidates_nothing(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/doc", headers=FRESH)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/doc"
    await get(http, url)
    origin.reply("/doc", status=500, headers=FRESH)
    async with http.post(url, data=b"abc") as resp:
        assert resp.status == 500
    assert (await get(http, url))[1] == b"body#1"


async def test_location_and_content_location_on_the_same_host_are_invalidated(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    pop = edge.pop_urls["pop-1"]
    for path in ("/a/location_target", "/a/content_location_target", "/a/other", "/a/x"):
        origin.reply(path, headers=FRESH)
        await get(http, pop + path)
    origin.reply(
        "/a/form",
        status=201,
        headers={
            "Location": "location_target",  # relative to /a/form
            "Content-Location": f"{pop}/a/content_location_target",
            "Link": "</a/other>",
        },
    )
    async with http.post(pop + "/a/form", data=b"abc") as resp:
        assert resp.status == 201
    assert (await get(http, pop + "/a/location_target"))[1] == b"body#2"
    assert (await get(http, pop + "/a/content_location_target"))[1] == b"body#2"
    assert (await get(http, pop + "/a/other"))[1] == b"body#1"


async def test_another_hosts_location_is_left_alone(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    pop = edge.pop_urls["pop-1"]
    origin.reply("/kept", headers=FRESH)
    await get(http, pop + "/kept")
    origin.reply("/form", headers={"Location": "http://elsewhere.example/kept"})
    async with http.post(pop + "/form", data=b"x") as resp:
        assert resp.status == 200
    assert (await get(http, pop + "/kept"))[1] == b"body#1"


async def test_every_variant_and_key_header_value_of_the_uri_goes(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    policy = CachePolicy("Keyed", 0.0, 0.0, 10**9, headers=("X-Tenant",))
    origin.reply("/v", headers={**FRESH, "Vary": "Accept"})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111", policy=policy))
    url = edge.pop_urls["pop-1"] + "/v"
    for tenant in ("a", "b"):
        for accept in ("image/webp", "image/png"):
            await get(http, url, headers={"X-Tenant": tenant, "Accept": accept})
    assert origin.count("/v") == 4
    async with http.delete(url) as resp:  # no X-Tenant, no Accept: still every copy
        assert resp.status == 200
    for tenant in ("a", "b"):
        for accept in ("image/webp", "image/png"):
            _, _, headers = await get(http, url, headers={"X-Tenant": tenant, "Accept": accept})
            assert headers["X-Cache"] == "Miss from cdnsim"


async def test_invalidation_reaches_the_disk_store(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, tmp_path: object
) -> None:
    pops = (PopSettings("pop-1", cache_dir=str(tmp_path)),)
    origin.reply("/d", headers=FRESH)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111", pops=pops))
    url = edge.pop_urls["pop-1"] + "/d"
    await get(http, url)
    async with http.put(url, data=b"new") as resp:
        assert resp.status == 200
    assert (await get(http, url))[1] == b"body#3"
    assert await edge.pops["pop-1"].store.volume() > 0


async def test_cloudfront_refuses_methods_it_does_not_allow(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="cloudfront"))
    async with http.request("M-SEARCH", edge.pop_urls["pop-1"] + "/x") as resp:
        assert resp.status == 405
        assert resp.headers["Allow"] == "DELETE, GET, HEAD, OPTIONS, PATCH, POST, PUT"
    assert origin.count("/x") == 0


async def test_connect_is_never_forwarded(origin: OriginDouble, make_edge: MakeEdge) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    host, port = edge.pop_urls["pop-1"].removeprefix("http://").split(":")
    for target in (b"example.com:443", b"/x"):
        reader, writer = await asyncio.open_connection(host, int(port))
        writer.write(b"CONNECT " + target + b" HTTP/1.1\r\nHost: example.com:443\r\n\r\n")
        status_line = await reader.readline()
        writer.close()
        assert b" 404 " in status_line  # aiohttp reads CONNECT's target as an authority
    assert origin.log == []  # a reverse proxy opens no tunnel
