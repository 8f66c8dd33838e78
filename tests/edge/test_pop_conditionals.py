"""Through a POP: a viewer's conditional requests answered from what the POP holds
(RFC 9110 §13, RFC 9111 §4.3.2), and immutable (RFC 8246)."""

from __future__ import annotations

import aiohttp

from common.clock import Clock
from edge.rules.http_date import format_http_date
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get


async def test_if_modified_since_gets_a_304_at_the_pop(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    modified = format_http_date(clock.now() - 3000)
    origin.reply("/lm", headers={"Cache-Control": "max-age=100000", "Last-Modified": modified})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/lm"
    await get(http, url)
    status, body, headers = await get(http, url, headers={"If-Modified-Since": modified})
    assert (status, body) == (304, b"")
    assert headers["X-Cache"] == "Hit from cdnsim" and headers["Last-Modified"] == modified
    later = format_http_date(clock.now() - 2000)
    assert (await get(http, url, headers={"If-Modified-Since": later}))[0] == 304
    earlier = format_http_date(clock.now() - 4000)
    assert (await get(http, url, headers={"If-Modified-Since": earlier}))[0] == 200
    assert origin.count("/lm") == 1
    assert "if-modified-since" not in origin.received[0]  # the POP's, not forwarded


async def test_without_last_modified_the_stored_date_counts(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/d", headers={"Cache-Control": "max-age=100000"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/d"
    await get(http, url)  # the double's Date is the clock's now
    await clock.advance(100)
    now = format_http_date(clock.now())
    assert (await get(http, url, headers={"If-Modified-Since": now}))[0] == 304
    before = format_http_date(clock.now() - 3000)
    assert (await get(http, url, headers={"If-Modified-Since": before}))[0] == 200


async def test_if_none_match_takes_precedence_over_if_modified_since(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    modified = format_http_date(clock.now() - 3000)
    origin.reply(
        "/e", headers={"Cache-Control": "max-age=60", "Last-Modified": modified}, etag='"v1"'
    )
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/e"
    await get(http, url)
    other = {"If-None-Match": '"v0"', "If-Modified-Since": format_http_date(clock.now())}
    assert (await get(http, url, headers=other))[0] == 200
    same = {"If-None-Match": '"v1"', "If-Modified-Since": format_http_date(clock.now() - 9999)}
    assert (await get(http, url, headers=same))[0] == 304


async def test_a_miss_with_if_modified_since_is_fetched_whole_then_answered_304(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    modified = format_http_date(clock.now() - 3000)
    origin.reply("/m", headers={"Cache-Control": "max-age=60", "Last-Modified": modified})
    edge = await make_edge(edge_settings(origin.url))
    status, _, headers = await get(
        http, edge.pop_urls["pop-1"] + "/m", headers={"If-Modified-Since": modified}
    )
    assert status == 304 and "; stored" in headers["Cache-Status"]


async def test_if_match_and_if_unmodified_since_fail_with_412(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    modified = format_http_date(clock.now() - 3000)
    origin.reply(
        "/p", headers={"Cache-Control": "max-age=60", "Last-Modified": modified}, etag='"v1"'
    )
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/p"
    await get(http, url)
    status, body, _ = await get(http, url, headers={"If-Match": '"v0"'})
    assert status == 412 and b"precondition_failed" in body
    assert (await get(http, url, headers={"If-Match": '"v1"'}))[0] == 200
    earlier = format_http_date(clock.now() - 4000)
    assert (await get(http, url, headers={"If-Unmodified-Since": earlier}))[0] == 412


async def test_a_stale_immutable_response_is_revalidated(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:  # RFC 8246 §2: immutable says nothing about stale responses
    origin.reply("/i", headers={"Cache-Control": "max-age=2, immutable"}, etag='"abcd"')
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/i"
    await get(http, url)
    assert (await get(http, url))[2]["X-Cache"] == "Hit from cdnsim"
    await clock.advance(5)
    _, body, headers = await get(http, url)
    assert origin.received[-1]["if-none-match"] == '"abcd"'
    assert (body, headers["X-Cache"]) == (b"body#1", "RefreshHit from cdnsim")
