"""An aggregator wired to the real CloudFront-compatible invalidation API of the edge,
served on 127.0.0.1; POP targets record what they were told to purge and when."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

import pytest
from aiohttp import web

from common.clock import MANUAL_EPOCH, Clock
from common.errors import json_errors
from edge.invalidation.cloudfront_api import add_routes
from edge.invalidation.delays import DelayModel
from edge.invalidation.model import InvalidationLimits
from edge.invalidation.service import InvalidationService
from origin.aggregator.invalidator import EdgeInvalidations, PackInvalidator
from origin.aggregator.service import Aggregator
from origin.aggregator.settings import AggregatorSettings


@dataclass
class RecordingPop:
    """A purge target that remembers each purge with the simulated time it happened."""

    pop_id: str
    clock: Clock
    purges: list[tuple[float, tuple[str, ...]]] = field(default_factory=list)

    async def purge(self, patterns: Sequence[str]) -> int:
        self.purges.append((self.clock.now() - MANUAL_EPOCH, tuple(patterns)))
        return len(patterns)


@dataclass
class Pipeline:
    aggregator: Aggregator
    pops: list[RecordingPop]
    service: InvalidationService
    edge_url: str


@pytest.fixture
def pop_delays() -> dict[str, float]:
    return {"pop-a": 10.0, "pop-b": 40.0}


@pytest.fixture
def aggregator_settings() -> AggregatorSettings:
    return AggregatorSettings()


@pytest.fixture
async def pipeline(aiohttp_server, storage, clock, events, pop_delays, aggregator_settings):  # type: ignore[no-untyped-def]
    pops = [RecordingPop(pop_id, clock) for pop_id in pop_delays]
    service = InvalidationService(
        clock,
        events,
        pops,
        DelayModel.fixed(0, per_pop=pop_delays),
        distribution_id="ECDNSIM000001",
        seed=3,
        limits=InvalidationLimits(max_wildcards_in_progress=15),
    )
    app = web.Application(middlewares=[json_errors])
    add_routes(app, service)
    server = await aiohttp_server(app)
    settings = replace(aggregator_settings, edge_control_url=str(server.make_url("")).rstrip("/"))
    invalidator = PackInvalidator(
        storage, events, settings, EdgeInvalidations(settings.edge_control_url, "ECDNSIM000001")
    )
    aggregator = Aggregator(storage, clock, events, settings, invalidator)
    await aggregator.start()
    yield Pipeline(aggregator, pops, service, settings.edge_control_url)
    service.close()
