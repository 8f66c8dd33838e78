"""Cache busting with ``date=``: as with the id suffix, a new URL every time, answered
from the stale S3 variant until the next tick deletes it, fresh everywhere after."""

from __future__ import annotations

from scenarios.busting import busting_propagation
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.target import Target

NAME = "propagation-date-param"
GROUP = "propagation"
TITLE = "A date= cache buster is fresh from the next tick, on every POP at once"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await busting_propagation(
            sc, lambda pack, n: f"/api/v2/img/{pack}?location=thumb&date=b{n}", "date="
        )
    return sc.result
