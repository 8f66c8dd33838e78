"""POP behaviour through real sockets: coalescing, the shield, stale serving, revalidation,
Vary, negative caching, origin faults."""

from __future__ import annotations

import asyncio

import aiohttp

from common.clock import Clock
from common.events import EventLog
from edge.config import PopSettings, Timeouts
from tests.edge.conftest import MakeEdge, edge_settings, three_pops_with_shield
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get


async def wait_events(events: EventLog, kind: str, count: int, since: int = 0) -> None:
    for _ in range(count):
        event = await events.wait_for(lambda e: e.kind == kind, since=since, timeout=5)
        since = event.seq


async def test_concurrent_cold_requests_make_one_upstream_request(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    reply = origin.reply("/cold", headers={"Cache-Control": "max-age=60"}, hang=True)
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/cold"
    n = 8
    tasks = [asyncio.create_task(get(http, url)) for _ in range(n)]
    await wait_events(events, "coalescing", n - 1)
    reply.hang = False
    origin.release.set()
    results = await asyncio.gather(*tasks)
    assert origin.count("/cold") == 1
    assert {body for _, body, _ in results} == {b"body#1"}
    statuses = [h["Cache-Status"] for _, _, h in results]
    assert sum("collapsed" in s for s in statuses) == n - 1
    assert sum("; stored" in s for s in statuses) == 1
    stats = await edge.pops["pop-1"].stats()
    assert (stats["origin_fetches"], stats["collapsed"]) == (1, n - 1)


async def test_the_shield_fills_every_pop_with_one_origin_request(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/img", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(three_pops_with_shield(origin.url))
    first = await get(http, edge.pop_urls["pop-1"] + "/img")
    second = await get(http, edge.pop_urls["pop-2"] + "/img")
    assert origin.count("/img") == 1
    assert first[2]["Cache-Status"] == (
        "shield; fwd=uri-miss; fwd-status=200; ttl=60; stored, pop-1; fwd=uri-miss; fwd-status=200; ttl=60; stored"
    )
    assert (
        second[2]["Cache-Status"]
        == "shield; hit; ttl=60, pop-2; fwd=uri-miss; fwd-status=200; ttl=60; stored"
    )
    assert second[1] == b"body#1"


async def test_the_shield_coalesces_misses_from_several_pops(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    reply = origin.reply("/img", headers={"Cache-Control": "max-age=60"}, hang=True)
    edge = await make_edge(three_pops_with_shield(origin.url))
    tasks = [asyncio.create_task(get(http, url + "/img")) for url in edge.pop_urls.values()]
    await wait_events(events, "coalescing", 2)
    reply.hang = False
    origin.release.set()
    results = await asyncio.gather(*tasks)
    assert origin.count("/img") == 1
    shield_parts = [h["Cache-Status"].split(", ")[0] for _, _, h in results]
    assert sum(part.endswith("collapsed") for part in shield_parts) == 2


async def test_stale_while_revalidate_serves_stale_then_refreshes_in_background(
    origin: OriginDouble,
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
    events: EventLog,
    clock: Clock,
) -> None:
    origin.reply("/s", headers={"Cache-Control": "max-age=10, stale-while-revalidate=60"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/s"
    await get(http, url)
    await clock.advance(20)
    since = events.last_seq
    _, body, headers = await get(http, url)
    assert body == b"body#1"
    assert headers["Cache-Status"] == 'pop-1; hit; ttl=-10; detail="stale-while-revalidate"'
    await events.wait_for(lambda e: e.kind == "refreshed", since=since, timeout=5)
    _, body, headers = await get(http, url)
    assert body == b"body#2" and headers["Cache-Status"] == "pop-1; hit; ttl=10"


async def test_stale_if_error_serves_stale_when_the_origin_is_down(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    # A plain RFC 9111 cache: stale only within the declared stale-if-error window.
    origin.reply("/e", headers={"Cache-Control": "max-age=10, stale-if-error=100"})
    origin.reply("/plain", headers={"Cache-Control": "max-age=10"})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"]
    await get(http, url + "/e")
    await get(http, url + "/plain")
    await origin.server.close()  # type: ignore[attr-defined]
    await clock.advance(30)
    status, body, headers = await get(http, url + "/e")
    assert (status, body) == (200, b"body#1")
    assert headers["Cache-Status"].startswith("pop-1; fwd=stale; ttl=-20")
    assert 'detail="stale-if-error"' in headers["Cache-Status"]
    status, body, headers = await get(http, url + "/plain")
    assert status == 502 and headers["X-Cache"] == "Error from cdnsim"
    await clock.advance(100)  # beyond the stale-if-error window
    status, _, _ = await get(http, url + "/e")
    assert status == 502


async def test_cloudfront_serves_expired_objects_while_the_origin_is_down(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    # CloudFront's "origin unavailable": cached content keeps being served without any
    # stale-if-error; must-revalidate still forbids it, and a declared window bounds it.
    origin.reply("/plain", headers={"Cache-Control": "max-age=10"})
    origin.reply("/strict", headers={"Cache-Control": "max-age=10, must-revalidate"})
    origin.reply("/bounded", headers={"Cache-Control": "max-age=10, stale-if-error=100"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"]
    for path in ("/plain", "/strict", "/bounded"):
        await get(http, url + path)
    await origin.server.close()  # type: ignore[attr-defined]
    await clock.advance(86400)
    status, body, headers = await get(http, url + "/plain")
    assert (status, body) == (200, b"body#1")
    assert 'detail="stale-if-error"' in headers["Cache-Status"]
    assert (await get(http, url + "/strict"))[0] == 502
    assert (await get(http, url + "/bounded"))[0] == 502


async def test_stale_if_error_stands_in_for_a_503(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/e", headers={"Cache-Control": "max-age=10, stale-if-error=100"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/e"
    await get(http, url)
    origin.reply("/e", status=503, body=b"down")
    await clock.advance(30)
    status, body, headers = await get(http, url)
    assert (status, body) == (200, b"body#1")
    assert "fwd-status=503" in headers["Cache-Status"]


async def test_a_slow_origin_gives_504_and_a_down_one_502(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/slow", hang=True)
    settings = edge_settings(
        origin.url, timeouts=Timeouts(connect=1.0, read=0.2, coalesce_wait=1.0)
    )
    edge = await make_edge(settings)
    async with http.get(edge.pop_urls["pop-1"] + "/slow") as resp:
        assert resp.status == 504
        assert (await resp.json())["code"] == "origin_timeout"
    await origin.server.close()  # type: ignore[attr-defined]
    async with http.get(edge.pop_urls["pop-1"] + "/gone") as resp:
        assert resp.status == 502
        assert (await resp.json())["code"] == "origin_unreachable"


async def test_a_304_refreshes_the_stored_headers(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/v", headers={"Cache-Control": "max-age=10", "X-Version": "1"}, etag='"e1"')
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/v"
    await get(http, url)
    origin.reply("/v", headers={"Cache-Control": "max-age=20", "X-Version": "2"}, etag='"e1"')
    await clock.advance(11)
    _, body, headers = await get(http, url)
    assert body == b"body#1"
    assert headers["X-Version"] == "2" and headers["X-Cache"] == "RefreshHit from cdnsim"
    assert headers["Cache-Status"] == "pop-1; fwd=stale; fwd-status=304; ttl=20; stored"
    assert origin.received[-1]["if-none-match"] == '"e1"'
    _, _, headers = await get(http, url)
    assert headers["X-Version"] == "2" and headers["Cache-Status"] == "pop-1; hit; ttl=20"


async def test_vary_keeps_one_entry_per_selecting_header(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/vary", headers={"Cache-Control": "max-age=60", "Vary": "Accept-Encoding"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/vary"
    _, body_gzip, h1 = await get(http, url, headers={"Accept-Encoding": "gzip"})
    _, body_br, h2 = await get(http, url, headers={"Accept-Encoding": "br"})
    _, body_again, h3 = await get(http, url, headers={"Accept-Encoding": "gzip"})
    assert h1["Cache-Status"].startswith("pop-1; fwd=uri-miss")
    assert h2["Cache-Status"].startswith("pop-1; fwd=vary-miss")
    assert h3["Cache-Status"].startswith("pop-1; hit")
    assert (body_gzip, body_br, body_again) == (b"body#1", b"body#2", b"body#1")


async def test_cloudfront_caches_a_404_for_ten_seconds(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/missing", status=404, body=b"nope")
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/missing"
    await get(http, url)
    await clock.advance(9)
    status, _, headers = await get(http, url)
    assert status == 404 and headers["X-Cache"] == "Hit from cdnsim"
    await clock.advance(2)
    await get(http, url)
    assert origin.count("/missing") == 2


async def test_rfc9111_does_not_cache_no_store_or_a_404_without_freshness(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/ns", headers={"Cache-Control": "no-store"})
    origin.reply("/missing", status=404)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    for path in ("/ns", "/ns", "/missing", "/missing"):
        await get(http, edge.pop_urls["pop-1"] + path)
    assert (origin.count("/ns"), origin.count("/missing")) == (2, 2)


async def test_rfc9111_honours_request_no_cache(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/r", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/r"
    await get(http, url)
    _, body, headers = await get(http, url, headers={"Cache-Control": "no-cache"})
    assert body == b"body#2" and headers["Cache-Status"].startswith("pop-1; fwd=request")


async def test_debugging_adds_the_cache_key(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/k", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url))
    _, _, headers = await get(
        http, edge.pop_urls["pop-1"] + "/k?b=2&a=1", headers={"X-Cdnsim-Debug": "1"}
    )
    assert headers["Cache-Status"].endswith('key="/k?a=1&b=2"')
    _, _, headers = await get(http, edge.pop_urls["pop-1"] + "/k?a=1&b=2")
    assert "key=" not in headers["Cache-Status"] and "hit" in headers["Cache-Status"]


async def test_passthrough_behaviour_forwards_everything_uncached(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    from edge.config import vimond_behaviors

    origin.reply("/adminAPI/x", headers={"Cache-Control": "max-age=60"})
    settings = vimond_behaviors(origin.url, pops=(PopSettings("pop-1"),))
    edge = await make_edge(settings)
    url = edge.pop_urls["pop-1"] + "/adminAPI/x"
    async with http.post(url, data=b"payload", headers={"Authorization": "Bearer t"}) as resp:
        assert resp.status == 200
        assert resp.headers["Cache-Status"] == "pop-1; fwd=bypass; fwd-status=200"
    await get(http, url)
    await get(http, url)
    assert origin.count("/adminAPI/x") == 3
    assert origin.received[0]["authorization"] == "Bearer t"


async def test_head_and_client_revalidation_are_answered_from_the_cache(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/h", headers={"Cache-Control": "max-age=60"}, etag='"e1"')
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/h"
    await get(http, url)
    async with http.head(url) as resp:
        assert resp.status == 200 and resp.headers["X-Cache"] == "Hit from cdnsim"
        assert await resp.read() == b""
    status, body, headers = await get(http, url, headers={"If-None-Match": '"e1"'})
    assert (status, body) == (304, b"")
    assert headers["ETag"] == '"e1"'
    assert origin.count("/h") == 1


async def test_cloudfront_ignores_request_cache_control(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/r", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/r"
    await get(http, url)
    _, body, headers = await get(http, url, headers={"Cache-Control": "no-cache"})
    assert body == b"body#1" and headers["X-Cache"] == "Hit from cdnsim"
    assert "cache-control" not in origin.received[0]


async def test_only_if_cached_without_an_entry_is_504(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    async with http.get(
        edge.pop_urls["pop-1"] + "/none", headers={"Cache-Control": "only-if-cached"}
    ) as resp:
        assert resp.status == 504 and (await resp.json())["code"] == "only_if_cached"
    assert origin.count("/none") == 0


async def test_a_collapsed_request_for_another_variant_fetches_its_own(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    origin.reply(
        "/vc", headers={"Cache-Control": "max-age=60", "Vary": "Accept-Language"}, hang=True
    )
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/vc"
    first = asyncio.create_task(get(http, url, headers={"Accept-Language": "nb"}))
    await events.wait_for(lambda e: e.kind == "origin_fetch", timeout=5)
    second = asyncio.create_task(get(http, url, headers={"Accept-Language": "sv"}))
    await wait_events(events, "coalescing", 1)
    origin.release.set()
    (_, body_nb, _), (_, body_sv, headers_sv) = await asyncio.gather(first, second)
    assert (body_nb, body_sv) == (b"body#1", b"body#2")
    assert "collapsed" not in headers_sv["Cache-Status"]


async def test_rfc9111_heuristic_freshness_from_last_modified(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    from edge.rules.http_date import format_http_date

    # Modified 1000 s ago and no explicit lifetime: fresh for 10 % of that (RFC 9111 §4.2.2).
    origin.reply("/lm", headers={"Last-Modified": format_http_date(clock.now() - 1000)})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/lm"
    await get(http, url)
    await clock.advance(99)
    _, body, headers = await get(http, url)
    assert body == b"body#1" and headers["Cache-Status"] == "pop-1; hit; ttl=1"
    await clock.advance(2)
    _, body, _ = await get(http, url)
    assert body == b"body#2"


async def test_age_carries_through_the_shield_so_pops_never_outlive_the_origin_lifetime(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/aged", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(three_pops_with_shield(origin.url))
    await get(http, edge.pop_urls["pop-1"] + "/aged")
    await clock.advance(30)
    _, _, headers = await get(http, edge.pop_urls["pop-2"] + "/aged")
    assert headers["Age"] == "30"  # RFC 9111 §4.2.3: the shield's age counts
    assert (
        headers["Cache-Status"]
        == "shield; hit; ttl=30, pop-2; fwd=uri-miss; fwd-status=200; ttl=30; stored"
    )
    await clock.advance(31)
    _, body, headers = await get(http, edge.pop_urls["pop-2"] + "/aged")
    assert body == b"body#2"
    assert headers["Cache-Status"].endswith("pop-2; fwd=stale; fwd-status=200; ttl=60; stored")
