"""Bug: a flush takes a while and the aggregator then moves its stream checkpoint to the
newest record; a write landing during the flush is never read, so never invalidated."""

from __future__ import annotations

from scenarios.bugs import Outcome, reproduce_then_fix
from scenarios.images import solid
from scenarios.propagation import by_colour, until_fresh
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import settle, thumb_pack, warm
from scenarios.target import Target

NAME = "bug-write-during-flush"
GROUP = "stale-bugs"
TITLE = "A write during an aggregator flush is never invalidated"
FLUSH = 60.0


async def story(sc: Scenario, phase: str) -> Outcome:
    pack, path = await thumb_pack(sc, "red")
    other, _ = await thumb_pack(sc, "green")
    await settle(sc)
    classify = by_colour("blue", "red")
    await warm(sc, path, classify)
    # Something for the next flush to do, so that it runs (and takes FLUSH seconds).
    await sc.sim.upload(other, "main", solid("yellow"))
    tick = sc.tick_after(sc.t())
    await sc.advance_to(tick + FLUSH / 2)
    await sc.sim.upload(pack, "main", solid("blue"))
    sc.mark("write", f"upload main (blue) during the flush [{phase}]")
    result = await until_fresh(
        sc, path, classify, until=tick + 2 * sc.sim.interval + 150, step=10.0
    )
    if result.never_fresh:
        return Outcome(True, f"{', '.join(result.never_fresh)} still old two ticks after the write")
    after = result.last_fresh - tick - FLUSH / 2
    return Outcome(False, f"fresh everywhere {after:g} s after the write (next tick + delay)")


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            "drop-writes-during-flush",
            FLUSH,
            story,
            also={"flush-duration": FLUSH},
            reproduced="the checkpoint skips the write's stream record: it is never invalidated",
            fixed="the write's record is read at the next tick and invalidated then",
        )
    return sc.result
