"""A manual invalidation through the platform API (``DELETE /{env}-lof/images/…``) does
not wait for the aggregator: each POP is fresh after its own delay from the call."""

from __future__ import annotations

from scenarios.images import solid
from scenarios.propagation import compare_with_model, invalidation_delays, until_fresh
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import RED_TO_BLUE, cached_red_thumb
from scenarios.target import Target

NAME = "propagation-platform-delete"
GROUP = "propagation"
TITLE = "A platform DELETE invalidation reaches each POP after its delay, with no tick to wait for"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        pack, path = await cached_red_thumb(sc)
        await sc.sim.upload(pack, "main", solid("blue"))
        since, write_at = await sc.sim.last_event(), sc.t()
        await sc.sim.platform_delete(pack)
        sc.mark("write", "upload main (blue) + DELETE invalidation")
        measured = await until_fresh(
            sc, path, RED_TO_BLUE, until=sc.tick_after(write_at) - 1, keep_probing=20
        )
        created, delays = await invalidation_delays(sc, pack, since)
        sc.check(
            "the invalidation is created at the call",
            created == write_at,
            expected=f"{write_at:g}",
            measured="never" if created is None else f"{created:g}",
        )
        model = {
            lane: write_at + delays[lane] if lane in delays else None for lane in sc.result.lanes
        }
        compare_with_model(sc, measured, model, what="DELETE invalidation", since=write_at)
    return sc.result
