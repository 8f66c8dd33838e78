"""Bug: the pipeline invalidates the edge but S3 variants stay (say its role lacks
s3:DeleteObject). The documented ``date=`` cache buster then gets the old image from
the S3 variant even after the invalidation completed, because ``date`` is not part of
the variant key."""

from __future__ import annotations

from scenarios.bugs import Outcome, reproduce_then_fix
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import RED_TO_BLUE, SETTLE, cached_red_thumb, replace_with_blue
from scenarios.target import Target

NAME = "bug-date-buster"
GROUP = "stale-bugs"
TITLE = "A date= cache buster answered from a stale S3 variant"


async def story(sc: Scenario, phase: str) -> Outcome:
    pack, path = await cached_red_thumb(sc)
    write_at = await replace_with_blue(sc, pack, f"upload main (blue) [{phase}]")
    await sc.advance_to(
        sc.tick_after(write_at) + SETTLE
    )  # the invalidation has completed everywhere
    stale = []
    for lane in sc.result.lanes:
        state, _ = await sc.probe(lane, f"{path}&date={phase}-{int(sc.t())}", RED_TO_BLUE)
        stale += [lane] if state == "stale" else []
    if stale:
        return Outcome(
            True, f"date= buster old at {', '.join(stale)} after the invalidation completed"
        )
    return Outcome(False, "date= buster fresh on every POP after the invalidation")


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            "keep-s3-variants",
            True,
            story,
            reproduced="the S3 variant survives the invalidation and answers every new URL",
            fixed="the aggregator deletes S3 variants before invalidating the edge",
        )
    return sc.result
