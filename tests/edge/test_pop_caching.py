"""A POP in front of a real origin: hits, misses, expiry on the manual clock, headers."""

from __future__ import annotations

import aiohttp
from multidict import CIMultiDict

from common.clock import Clock
from common.events import EventLog
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble


async def get(
    http: aiohttp.ClientSession, url: str, **kwargs: object
) -> tuple[int, bytes, CIMultiDict[str]]:
    async with http.get(url, **kwargs) as resp:  # type: ignore[arg-type]
        return resp.status, await resp.read(), CIMultiDict(resp.headers)


async def test_second_request_is_a_hit_and_the_origin_is_asked_once(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/a", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/a"
    status1, body1, headers1 = await get(http, url)
    status2, body2, headers2 = await get(http, url)
    assert (status1, status2) == (200, 200)
    assert body1 == body2 == b"body#1"
    assert origin.count("/a") == 1
    assert headers1["X-Cache"] == "Miss from cdnsim"
    assert headers1["Cache-Status"] == "pop-1; fwd=uri-miss; fwd-status=200; ttl=60; stored"
    assert headers2["X-Cache"] == "Hit from cdnsim"
    assert headers2["Cache-Status"] == "pop-1; hit; ttl=60"
    assert headers2["X-Edge-Pop"] == headers2["X-Amz-Cf-Pop"] == "pop-1"
    assert headers2["Age"] == "0"


async def test_entry_expires_after_max_age_on_the_manual_clock(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/a", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/a"
    await get(http, url)
    await clock.advance(59)
    _, body, headers = await get(http, url)
    assert (
        body == b"body#1"
        and headers["Age"] == "59"
        and headers["Cache-Status"] == "pop-1; hit; ttl=1"
    )
    await clock.advance(2)
    _, body, headers = await get(http, url)
    assert body == b"body#2"
    assert headers["Cache-Status"].startswith("pop-1; fwd=stale; fwd-status=200")


async def test_request_events_name_the_viewers_referrer_and_user_agent(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    origin.reply("/a", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(edge_settings(origin.url))
    url = edge.pop_urls["pop-1"] + "/a"
    since = events.last_seq
    await get(http, url, headers={"Referer": "https://example.com/page", "User-Agent": "Browser/1"})
    await get(http, url, headers={"User-Agent": "Browser/2"})
    await get(http, url, headers={"Referer": "https://example.com/x", "User-Agent": ""})
    served = [e for e in events.read(since=since) if e.kind in ("miss", "hit")]
    assert [(e.kind, e.data.get("referer"), e.data.get("user_agent")) for e in served] == [
        ("miss", "https://example.com/page", "Browser/1"),
        ("hit", None, "Browser/2"),  # no Referer sent: none recorded
        ("hit", "https://example.com/x", ""),
    ]


async def test_request_events_carry_bytes_and_time_taken_only_when_hits_are_logged(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, events: EventLog
) -> None:
    origin.reply("/a", headers={"Cache-Control": "max-age=60"})
    timed = await make_edge(edge_settings(origin.url))
    since = events.last_seq
    for _ in range(2):
        await get(http, timed.pop_urls["pop-1"] + "/a")
    served = [e for e in events.read(since=since) if e.kind in ("miss", "hit")]
    assert [(e.kind, e.data["bytes"]) for e in served] == [("miss", 6), ("hit", 6)]
    assert all(isinstance(e.data["ms"], float) and e.data["ms"] >= 0 for e in served)
    # hit events off (benchmarks): no timer is read, misses still say what they sent
    untimed = await make_edge(edge_settings(origin.url, hit_events=False))
    since = events.last_seq
    for _ in range(2):
        await get(http, untimed.pop_urls["pop-1"] + "/a")
    served = [e for e in events.read(since=since) if e.kind in ("miss", "hit")]
    assert [(e.kind, e.data["bytes"], "ms" in e.data) for e in served] == [("miss", 6, False)]
