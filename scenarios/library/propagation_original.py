"""Replacing an original: every POP serves the new image from the next aggregator tick
plus its own invalidation delay, and not before."""

from __future__ import annotations

from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import RED_TO_BLUE, settle, thumb_pack, tick_propagation
from scenarios.target import Target

NAME = "propagation-original"
GROUP = "propagation"
TITLE = "A replaced original reaches each POP at the next tick plus its delay"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        pack, path = await thumb_pack(sc, "red")
        await settle(sc)
        await tick_propagation(
            sc,
            pack,
            path,
            RED_TO_BLUE,
            lambda: sc.sim.upload(pack, "main", solid("blue")),
            "upload main (blue)",
        )
    return sc.result
