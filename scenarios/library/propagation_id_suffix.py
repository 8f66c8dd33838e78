"""Cache busting with the id suffix (``{pack}-{anything}``): a new URL misses every
cache, but the origin answers from the S3 variant until the aggregator deletes it at
the next tick; from then on every POP is fresh at once, with no invalidation delay."""

from __future__ import annotations

from scenarios.busting import busting_propagation
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.target import Target

NAME = "propagation-id-suffix"
GROUP = "propagation"
TITLE = "An id-suffix cache buster is fresh from the next tick, on every POP at once"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await busting_propagation(
            sc, lambda pack, n: f"/api/v2/img/{pack}-b{n}?location=thumb", "id suffix"
        )
    return sc.result
