"""Bug: a forced location-config change (a new size) invalidates nothing: POPs keep
serving the old size until their TTL runs out."""

from __future__ import annotations

from scenarios.bugs import Outcome, reproduce_then_fix
from scenarios.images import Look, solid
from scenarios.propagation import until_fresh
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import THUMB, ensure_config, pack_with, settle, warm
from scenarios.target import Target

NAME = "bug-config-change-ignored"
GROUP = "stale-bugs"
TITLE = "A forced location-config change that invalidates nothing"
OLD, NEW = (160, 90), (200, 100)


def by_size(seen: Look | None, status: int) -> State:
    if seen is None:
        return "error"
    return "fresh" if seen.size == NEW else "stale" if seen.size == OLD else "other"


async def story(sc: Scenario, phase: str) -> Outcome:
    await ensure_config(sc, THUMB, {"width": OLD[0], "height": OLD[1]})
    pack = await pack_with(sc, {"main": solid("red")})
    await settle(sc)
    path = f"/api/v2/img/{pack}?location={THUMB}"
    await warm(sc, path, by_size)
    write_at = sc.t()
    await sc.sim.put_config(THUMB, {"width": NEW[0], "height": NEW[1]}, force=True)
    sc.mark("write", f"force thumb to {NEW[0]}x{NEW[1]} [{phase}]")
    tick = sc.tick_after(write_at)
    result = await until_fresh(sc, path, by_size, until=tick + 200)
    if result.never_fresh:
        return Outcome(
            True, f"{', '.join(result.never_fresh)} still {OLD[0]}x{OLD[1]} 200 s after the tick"
        )
    return Outcome(
        False,
        f"{NEW[0]}x{NEW[1]} everywhere by {result.last_fresh - write_at:g} s after the change",
    )


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            "ignore-location-config-changes",
            True,
            story,
            reproduced="nothing is invalidated: the old size stays cached",
            fixed="a forced change invalidates every pack of the tenant at the next tick",
        )
    return sc.result
