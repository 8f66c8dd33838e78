"""Every feature in every worker process of a POP, with the observable results of one
process: coalescing across workers, exact counters, one event log, invalidations, purges,
unsafe-method invalidation and new settings reaching every worker. Real worker processes,
a real origin, connections opened afresh so that the kernel spreads them over the workers."""

from __future__ import annotations

import asyncio
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from common.clock import Clock
from edge.config import PopSettings
from edge.stack import Edge
from tests.edge.conftest import edge_settings
from tests.edge.origin_double import OriginDouble

DEBUG = {"X-Cdnsim-Debug": "1"}  # each answer says which worker gave it


@pytest.fixture
async def edge(origin: OriginDouble, tmp_path: Path) -> AsyncIterator[Edge]:
    origin.clock = Clock()  # worker processes need a real (or scaled) clock
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path / "pop-1"))
    delays = {"kind": "fixed", "seconds": 0}
    started = Edge(
        edge_settings(origin.url, pops=(pop,), invalidation_delays=delays), clock=origin.clock
    )
    await started.start()
    yield started
    await started.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    connector = aiohttp.TCPConnector(force_close=True, limit=0)
    async with aiohttp.ClientSession(connector=connector) as session:
        yield session


async def _get(http: aiohttp.ClientSession, url: str) -> tuple[int, bytes, str]:
    async with http.get(url, headers=DEBUG) as response:
        return response.status, await response.read(), response.headers["X-Edge-Worker"]


async def _control(http: aiohttp.ClientSession, edge: Edge, path: str) -> Any:
    async with http.get(edge.control_url + path) as response:
        assert response.status == 200, await response.text()
        return await response.json()


async def _until_every_worker_answered(
    http: aiohttp.ClientSession, url: str
) -> dict[str, set[bytes]]:
    """What each worker answered for ``url``, asked until both have answered."""
    seen: dict[str, set[bytes]] = {}
    for _ in range(200):
        _, body, worker = await _get(http, url)
        seen.setdefault(worker, set()).add(body)
        if len(seen) == 2:
            break
    return seen


async def test_fifty_concurrent_cold_requests_make_one_upstream_request(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/cold", hang=True, headers={"Cache-Control": "max-age=3600"})
    url = edge.pop_urls["pop-1"] + "/cold"
    requests = [asyncio.create_task(_get(http, url)) for _ in range(50)]
    # Every request but the first joins its fill: wait until all 49 have (no sleeping).
    joined = 0
    while joined < 49:
        seen = await _control(http, edge, "/_edge/events?kind=coalescing&wait=10")
        joined = len(seen["events"])
    origin.release.set()
    answers = await asyncio.gather(*requests)
    assert {(status, body) for status, body, _ in answers} == {(200, b"body#1")}
    assert {worker for _, _, worker in answers} == {"1", "2"}
    assert origin.count("/cold") == 1
    stats = await _control(http, edge, "/_edge/pops/pop-1/stats")
    # As one process counts them: every one a miss, all but the first collapsed onto it.
    assert (stats["requests"], stats["misses"], stats["collapsed"]) == (50, 50, 49)
    assert (stats["origin_fetches"], stats["stored"], stats["workers"]) == (1, 1, 2)


async def test_counters_and_events_are_exact_across_workers(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/c", headers={"Cache-Control": "max-age=3600"})
    url = edge.pop_urls["pop-1"] + "/c"
    answers = [await _get(http, url) for _ in range(40)]
    by_worker = Counter(worker for _, _, worker in answers)
    assert set(by_worker) == {"1", "2"}
    stats = await _control(http, edge, "/_edge/pops/pop-1/stats")
    assert (stats["requests"], stats["hits"], stats["misses"]) == (40, 39, 1)
    assert stats["bytes"] == sum(len(body) for _, body, _ in answers)
    assert stats["origin_fetches"] == 1 and stats["connections"]["open"] >= 0
    # Read at once after the answers: every worker's events are in the one log.
    log = await _control(http, edge, "/_edge/events?kind=hit,miss")
    events = log["events"]
    assert [e["kind"] for e in events].count("miss") == 1 and len(events) == 40
    assert Counter(str(e["data"]["worker"]) for e in events) == by_worker
    assert [e["seq"] for e in events] == sorted({e["seq"] for e in events})


async def test_an_invalidation_reaches_every_worker(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/inv", headers={"Cache-Control": "max-age=3600"})
    url = edge.pop_urls["pop-1"] + "/inv"
    before = await _until_every_worker_answered(http, url)
    assert before == {"1": {b"body#1"}, "2": {b"body#1"}}  # each holds it in memory
    body = {"paths": ["/inv"]}
    async with http.post(edge.control_url + "/_edge/purge", json=body) as response:
        assert response.status in (200, 201, 202), await response.text()
        created = await response.json()
    completed: list[str] = []
    while created["id"] not in completed:  # applied at every POP (delay 0): then completed
        log = await _control(http, edge, "/_edge/events?kind=invalidation_completed&wait=10")
        completed = [e["data"]["id"] for e in log["events"]]
    after = await _until_every_worker_answered(http, url)
    assert after == {"1": {b"body#2"}, "2": {b"body#2"}}
    assert origin.count("/inv") == 2


async def test_an_unsafe_method_through_one_worker_invalidates_in_every_worker(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/u", headers={"Cache-Control": "max-age=3600"})
    url = edge.pop_urls["pop-1"] + "/u"
    assert await _until_every_worker_answered(http, url) == {"1": {b"body#1"}, "2": {b"body#1"}}
    async with http.post(url, data=b"change") as response:  # RFC 9111 §4.4
        assert response.status == 200
    after = await _until_every_worker_answered(http, url)
    assert all(b"body#1" not in bodies for bodies in after.values())


async def test_new_settings_reach_every_worker(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    url = edge.pop_urls["pop-1"] + "/s"
    await edge.reconfigure(replace(edge.settings, debug=True))  # key= on every Cache-Status
    seen: dict[str, bool] = {}
    for _ in range(200):
        async with http.get(url) as response:
            await response.read()
            seen[response.headers["X-Edge-Worker"]] = "key=" in response.headers["Cache-Status"]
        if len(seen) == 2:
            break
    assert seen == {"1": True, "2": True}


async def test_the_fast_lane_of_every_worker_keeps_counters_events_and_purges_exact(
    origin: OriginDouble, edge: Edge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/lane", headers={"Cache-Control": "max-age=3600"})
    url = edge.pop_urls["pop-1"] + "/lane"

    async def plain_get() -> bytes:  # no debug header: hits take the lane (edge.fast_lane)
        async with http.get(url) as response:
            assert response.status == 200
            return await response.read()

    bodies = [await plain_get() for _ in range(40)]
    assert set(bodies) == {b"body#1"}
    log = await _control(http, edge, "/_edge/events?kind=hit,miss")
    workers = Counter(str(e["data"]["worker"]) for e in log["events"])
    assert set(workers) == {"1", "2"} and sum(workers.values()) == 40
    stats = await _control(http, edge, "/_edge/pops/pop-1/stats")
    assert (stats["requests"], stats["hits"], stats["misses"]) == (40, 39, 1)
    # Every hit but each worker's first came from the lane: the miss was filled by the edge
    # process, so each worker reads the response from the shared disk once (through
    # aiohttp's path), then holds it in memory.
    assert stats["fast_lane"] == 37 and stats["bytes"] == 40 * len(b"body#1")
    body = {"paths": ["/lane"]}
    async with http.post(edge.control_url + "/_edge/purge", json=body) as response:
        created = await response.json()
    completed: list[str] = []
    while created["id"] not in completed:
        log = await _control(http, edge, "/_edge/events?kind=invalidation_completed&wait=10")
        completed = [e["data"]["id"] for e in log["events"]]
    assert {await plain_get() for _ in range(20)} == {b"body#2"}
    assert origin.count("/lane") == 2
