"""Vendors and their properties, through the edge's vendor protocol only: what a property
puts in the path is in the key, what it answers itself never reaches cache or origin, and
a vendor the edge has never heard of runs in every worker process of a POP, where a
published change reaches each worker before ``publish`` returns."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from common.clock import Clock
from edge.config import CacheBehavior, CachePolicy, PopSettings
from edge.outcome import Outcome, ViewerRequest, edge_error
from edge.stack import Edge
from edge.vendor import DemoImages, EdgeHandle, Replica, Routes
from tests.edge.conftest import edge_settings, three_pops_with_shield
from tests.edge.origin_double import OriginDouble

VERSIONED = CachePolicy("Versioned", 0.0, 3600.0, 3600.0, query_strings="none")


class VersionedProperty:
    """Requests under /v/ carry the current 'policy version' in their internal path."""

    name = "versioned"

    def __init__(self, version: int) -> None:
        self.version = version

    def claims(self, request: ViewerRequest) -> bool:
        return request.path.startswith("/v/")

    async def rewrite(self, request: ViewerRequest, pop_id: str) -> ViewerRequest | Outcome | None:
        if not self.claims(request):
            return None
        if request.path.endswith("/forbidden"):
            return edge_error(
                pop_id, 403, "forbidden", "not for you", "property", fwd=None, key=None
            )
        inner = f"/_internal/v{self.version}/{request.path.removeprefix('/v/')}"
        return replace(request, path=inner, query=(), raw_query="")


def build_versioned(version: int, clock: Clock) -> Sequence[VersionedProperty]:
    return [VersionedProperty(version)]


class VersionedVendor:
    """A third vendor, known to nobody but this test: a package's worth of the protocol."""

    name = "versioned"

    def __init__(self) -> None:
        self.property = VersionedProperty(1)
        self.edge: EdgeHandle | None = None

    async def start(self) -> Routes:
        behavior = CacheBehavior("/_internal/*", VERSIONED.name, "origin")
        return Routes((behavior,), {VERSIONED.name: VERSIONED})

    def properties(self) -> list[VersionedProperty]:
        return [self.property]

    def replica(self) -> Replica:
        return Replica(build_versioned, self.property.version)

    async def attach(self, edge: EdgeHandle) -> None:
        self.edge = edge

    async def edit(self) -> None:
        """A new version, as a policy edit through the vendor's API would make."""
        self.property.version += 1
        assert self.edge is not None
        await self.edge.publish()

    async def seed_demo(self, demo: DemoImages) -> None:
        pass

    def ready(self) -> dict[str, Any]:
        return {"version": self.property.version}

    async def reset(self) -> None:
        self.property.version = 1

    async def stop(self) -> None:
        pass


async def test_a_property_version_in_the_path_turns_hits_into_misses(origin, make_edge, http):
    vendor = VersionedVendor()
    edge = await make_edge(three_pops_with_shield(origin.url), vendors=[vendor])
    url = edge.pop_urls["pop-1"] + "/v/cat.jpg?ignored=1"
    bodies = []
    for _ in range(2):
        async with http.get(url) as response:
            assert response.status == 200
            bodies.append((await response.read(), response.headers["Cache-Status"]))
    assert bodies[0][0] == bodies[1][0] == b"body#1"
    assert "hit" in bodies[1][1]
    assert origin.count("/_internal/v1/cat.jpg") == 1
    await vendor.edit()  # an edit: no purge, yet the next request is a miss under the new version
    async with http.get(url) as response:
        assert await response.read() == b"body#1"  # first request for the v2 path
        assert "fwd=uri-miss" in response.headers["Cache-Status"]
    assert origin.count("/_internal/v2/cat.jpg") == 1


async def test_a_property_answer_never_reaches_cache_or_origin(origin, make_edge, http):
    edge = await make_edge(three_pops_with_shield(origin.url), vendors=[VersionedVendor()])
    async with http.get(edge.pop_urls["pop-2"] + "/v/forbidden") as response:
        assert response.status == 403
        assert (await response.json())["code"] == "forbidden"
    async with http.get(edge.pop_urls["pop-2"] + "/plain") as response:  # not the property's
        assert await response.read() == b"body#1"
    assert not [p for p in origin.counts if "forbidden" in p]


async def _paths_by_worker(http: aiohttp.ClientSession, url: str) -> dict[str, set[str]]:
    """Which internal path each worker process rewrote /v/cat.jpg to, over fresh
    connections until both workers of the POP have answered."""
    seen: dict[str, set[str]] = {}
    for _ in range(200):
        async with http.get(url, headers={"X-Cdnsim-Debug": "1"}) as response:
            assert response.status == 200
            key = response.headers["Cache-Status"].rsplit("key=", 1)[1]
            seen.setdefault(response.headers["X-Edge-Worker"], set()).add(key)
        if len(seen) == 2:
            break
    return seen


async def test_a_vendor_runs_in_every_worker_and_an_edit_reaches_each_before_publish_returns(
    origin: OriginDouble, tmp_path: Path
) -> None:
    origin.clock = Clock()  # worker processes need a real (or scaled) clock
    vendor = VersionedVendor()
    pop = PopSettings("pop-1", workers=2, cache_dir=str(tmp_path))
    edge = Edge(edge_settings(origin.url, pops=(pop,)), clock=origin.clock, vendors=[vendor])
    await edge.start()
    try:
        connector = aiohttp.TCPConnector(force_close=True)  # the kernel spreads connections
        async with aiohttp.ClientSession(connector=connector) as http:
            url = edge.pop_urls["pop-1"] + "/v/cat.jpg"
            before = await _paths_by_worker(http, url)
            assert set(before) == {"1", "2"}
            assert all(_only(keys, "/_internal/v1/cat.jpg") for keys in before.values())
            await vendor.edit()
            after = await _paths_by_worker(http, url)
            assert set(after) == {"1", "2"}
            assert all(_only(keys, "/_internal/v2/cat.jpg") for keys in after.values())
        assert origin.count("/_internal/v1/cat.jpg") == origin.count("/_internal/v2/cat.jpg") == 1
    finally:
        await edge.stop()


def _only(keys: set[str], path: str) -> bool:
    return len(keys) == 1 and path in next(iter(keys))


async def test_a_propertys_requests_skip_the_fast_lane_and_others_take_it(origin, make_edge, http):
    vendor = VersionedVendor()
    origin.reply("/plain.jpg", headers={"Cache-Control": "max-age=600"})
    edge = await make_edge(edge_settings(origin.url), vendors=[vendor])
    pop = edge.pop_urls["pop-1"]
    for path in ("/v/cat.jpg", "/v/cat.jpg", "/plain.jpg", "/plain.jpg"):
        async with http.get(pop + path) as response:
            assert response.status == 200
    async with http.get(f"{edge.control_url}/_edge/pops/pop-1/stats") as response:
        stats = await response.json()
    # Both second requests were hits; only the one no property claims came from the lane,
    # the property's went through its rewrite (its version is in the key).
    assert (stats["hits"], stats["fast_lane"]) == (2, 1)
    await vendor.edit()
    async with http.get(pop + "/v/cat.jpg") as response:
        assert "fwd=uri-miss" in response.headers["Cache-Status"]
