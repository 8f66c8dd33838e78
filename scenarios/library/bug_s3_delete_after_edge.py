"""Bug: S3 variants deleted *after* the edge invalidation. A POP purged before the S3
delete refetches, the origin answers from the old S3 variant, and the POP caches the
old image again for a whole TTL: the invalidation is wasted."""

from __future__ import annotations

from scenarios.bugs import Outcome, reproduce_then_fix, stale_copies
from scenarios.propagation import until_fresh
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import RED_TO_BLUE, cached_red_thumb, replace_with_blue
from scenarios.target import Target

NAME = "bug-s3-delete-after-edge"
GROUP = "stale-bugs"
TITLE = "S3 deleted after the edge invalidation: the old variant is re-cached for a full TTL"
GAP = 120.0


async def story(sc: Scenario, phase: str) -> Outcome:
    pack, path = await cached_red_thumb(sc)
    write_at = await replace_with_blue(sc, pack, f"upload main (blue) [{phase}]")
    tick = sc.tick_after(write_at)
    await until_fresh(sc, path, RED_TO_BLUE, until=tick + GAP + 60)
    # Well after the S3 delete: who still serves the old image, and for how long?
    await sc.advance_to(tick + GAP + 120)
    copies = await stale_copies(sc, path, RED_TO_BLUE, sc.result.lanes)
    if not copies.lanes:
        return Outcome(False, f"every POP fresh {GAP + 120:g} s after the tick")
    return Outcome(
        True,
        f"{', '.join(copies.lanes)} still old {GAP + 120:g} s after the tick, "
        f"cached for another {copies.min_ttl:g} s",
    )


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            "s3-delete-after-edge",
            GAP,
            story,
            reproduced="POPs refetch before the S3 delete and re-cache the old variant for a full TTL",
            fixed="S3 is emptied before the edge invalidation: a refetch renders the new image",
        )
    return sc.result
