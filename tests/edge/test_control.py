"""The control API: POPs, counters, cached keys and the event log."""

from __future__ import annotations

import aiohttp

from common.clock import Clock
from common.events import EventLog
from edge.stack import Edge
from tests.edge.conftest import MakeEdge, edge_settings, three_pops_with_shield
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get


async def test_control_lists_pops_stats_keys_and_events(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/a", headers={"Cache-Control": "max-age=60"})
    edge = await make_edge(three_pops_with_shield(origin.url))
    await get(http, edge.pop_urls["pop-1"] + "/a")
    await get(http, edge.pop_urls["pop-1"] + "/a")
    await clock.advance(15)
    control = edge.control_url
    async with http.get(control + "/_edge/pops") as resp:
        pops = (await resp.json())["pops"]
    assert [(p["id"], p["role"]) for p in pops] == [
        ("pop-1", "pop"),
        ("pop-2", "pop"),
        ("pop-3", "pop"),
        ("shield", "shield"),
    ]
    async with http.get(control + "/_edge/pops/pop-1/stats") as resp:
        stats = await resp.json()
    assert (stats["requests"], stats["hits"], stats["misses"], stats["origin_fetches"]) == (
        2,
        1,
        1,
        1,
    )
    assert stats["bytes"] == 2 * len(b"body#1")
    async with http.get(control + "/_edge/pops/pop-1/keys") as resp:
        keys = (await resp.json())["keys"]
    assert [(k["uri"], k["age"], k["ttl"]) for k in keys] == [("/a", 15, 45)]
    async with http.get(control + "/_edge/events?kind=hit,origin_fetch") as resp:
        kinds = [(e["kind"], e["data"]["pop"]) for e in (await resp.json())["events"]]
    assert kinds == [("origin_fetch", "pop-1"), ("origin_fetch", "shield"), ("hit", "pop-1")]


async def test_control_refuses_unknown_pops_and_bad_parameters(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    edge = await make_edge(three_pops_with_shield(origin.url))
    async with http.get(edge.control_url + "/_edge/pops/nope/stats") as resp:
        assert resp.status == 404 and (await resp.json())["code"] == "no_such_pop"
    async with http.get(edge.control_url + "/_edge/events?since=-1") as resp:
        assert resp.status == 400 and (await resp.json())["code"] == "bad_parameter"


async def test_events_read_from_before_the_window_say_how_many_were_missed(
    origin: OriginDouble, clock: Clock, http: aiohttp.ClientSession
) -> None:
    events = EventLog(clock, max_bytes=5_000)
    edge = Edge(edge_settings(origin.url), clock=clock, events=events)
    await edge.start()
    try:
        for i in range(100):
            events.append("test", "tick", n=i)
        async with http.get(edge.control_url + "/_edge/events?since=0") as resp:
            page = await resp.json()
        oldest = page["events"][0]["seq"]
        assert page["oldest"] == oldest > 1
        assert page["missed"] == oldest - 1 == page["dropped"]
        assert page["newest"] == page["last"] == 100
        async with http.get(edge.control_url + f"/_edge/events?since={oldest}") as resp:
            assert (await resp.json())["missed"] == 0
    finally:
        await edge.stop()
