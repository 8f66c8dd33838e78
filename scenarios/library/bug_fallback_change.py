"""A stale-image class the seeds themselves have: changing a location's ``fallback`` needs
no ``force`` (seed 002 names only size and resize fields) and is no aggregator trigger
(seed 001 names the pack's own changes), so a POP that cached the old fallback's image
keeps serving it until its TTL runs out. The fix a team would ship treats a fallback
change like a forced config change: every pack of the tenant is queued at the next tick.

Told twice: with ``fix-invalidate-on-fallback-change`` off (the seeds' behaviour: the
old image stays), then on (every POP turns at the tick plus its delay)."""

from __future__ import annotations

from typing import Any

from scenarios.bugs import Outcome, reproduce_then_fix, stale_copies
from scenarios.images import Look, solid
from scenarios.propagation import until_fresh
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import ensure_config, pack_with, settle, warm
from scenarios.target import Target

NAME = "bug-fallback-change"
GROUP = "stale-bugs"
TITLE = "A location's fallback changed: POPs serve the old fallback's image until their TTL"
FIX = "fix-invalidate-on-fallback-change"
COVER, SIZE = "portal-cover", (120, 180)
LOCATIONS: dict[str, dict[str, Any]] = {
    "main": {"width": 320, "height": 180},
    "thumb": {"width": 160, "height": 90, "fallback": "main"},
    "square": {"width": 100, "height": 100},
}
WATCH = 200.0  # seconds after the tick: past every POP's invalidation delay


def cover_from_square(seen: Look | None, status: int) -> State:
    """Fresh: square's image (blue) at the cover's size; stale: main's (red)."""
    if seen is None:
        return "error"
    if seen.colour == "blue" and seen.size == SIZE:
        return "fresh"
    return "stale" if seen.colour == "red" else "other"


async def story(sc: Scenario, phase: str) -> Outcome:
    for name, body in LOCATIONS.items():
        await ensure_config(sc, name, body)
    cover = {"width": SIZE[0], "height": SIZE[1]}
    await ensure_config(sc, COVER, {**cover, "fallback": "thumb"})
    pack = await pack_with(sc, {"main": solid("red"), "square": solid("blue")})
    await settle(sc)
    path = f"/api/v2/img/{pack}?location={COVER}"
    await warm(sc, path, cover_from_square)  # portal-cover → thumb (empty) → main: red
    write_at = sc.t()
    # No force: the seeds ask for it only for size and resize fields (a 409 would raise).
    await sc.sim.put_config(COVER, {**cover, "fallback": "square"})
    sc.mark("write", f"{COVER} falls back to square, not thumb (no force) [{phase}]")
    tick = sc.tick_after(write_at)
    result = await until_fresh(sc, path, cover_from_square, until=tick + WATCH)
    if not result.never_fresh:
        after = result.last_fresh - write_at
        return Outcome(False, f"square's image everywhere by {after:g} s after the change")
    copies = await stale_copies(sc, path, cover_from_square, result.never_fresh)
    return Outcome(
        True,
        f"{', '.join(copies.lanes)} still main's image {WATCH:g} s after the tick "
        f"(Age up to {copies.max_age} s, each cached for at least {copies.min_ttl:g} s more)",
    )


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            FIX,
            False,
            story,
            fix=True,
            reproduced="a fallback change is no trigger: every POP keeps the old fallback's "
            "image for its TTL",
            fixed="the fallback change queues every pack of the tenant: each POP turns at the "
            "next tick plus its invalidation delay",
        )
    return sc.result
