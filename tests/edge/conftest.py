"""Edge fixtures: a real origin double on 127.0.0.1 and real edge stacks in front of it."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any

import aiohttp
import pytest

from common.clock import Clock
from common.events import EventLog
from edge.config import (
    CacheBehavior,
    CachePolicy,
    EdgeSettings,
    PopSettings,
    ShieldSettings,
    Timeouts,
)
from edge.stack import Edge
from tests.edge.origin_double import OriginDouble

OPEN_POLICY = CachePolicy("Open", 0.0, 0.0, 31536000.0, query_strings="all")


@pytest.fixture
async def origin(aiohttp_server: Any, clock: Clock) -> AsyncIterator[OriginDouble]:
    double = OriginDouble(clock)
    server = await aiohttp_server(double.app)
    double.url = str(server.make_url("")).rstrip("/")  # type: ignore[attr-defined]
    double.server = server  # type: ignore[attr-defined]
    yield double
    double.release.set()


def edge_settings(origin_url: str, **overrides: Any) -> EdgeSettings:
    """One catch-all behaviour that honours the origin's headers, fast timeouts."""
    overrides.setdefault("timeouts", Timeouts(connect=2.0, read=5.0, coalesce_wait=5.0))
    overrides.setdefault("pops", (PopSettings("pop-1"),))
    policy = overrides.pop("policy", OPEN_POLICY)
    return EdgeSettings(
        {"origin": origin_url},
        (CacheBehavior("*", policy.name, "origin"),),
        {policy.name: policy},
        **overrides,
    )


MakeEdge = Callable[..., Awaitable[Edge]]


@pytest.fixture
async def make_edge(clock: Clock, events: EventLog) -> AsyncIterator[MakeEdge]:
    edges: list[Edge] = []

    async def make(settings: EdgeSettings, **kwargs: Any) -> Edge:
        edge = Edge(settings, clock=clock, events=events, **kwargs)
        await edge.start()
        edges.append(edge)
        return edge

    yield make
    for edge in edges:
        await edge.stop()


@pytest.fixture
async def http() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession(auto_decompress=False) as session:
        yield session


def three_pops_with_shield(origin_url: str, **overrides: Any) -> EdgeSettings:
    pops = tuple(PopSettings(f"pop-{i}") for i in (1, 2, 3))
    return edge_settings(origin_url, pops=pops, shield=ShieldSettings(), **overrides)
