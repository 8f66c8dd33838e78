"""Cache busters (id suffix, ``date=``): measured like propagation, with a new URL for
every probe. Model: the next tick (when S3 variants are deleted), no POP delay."""

from __future__ import annotations

from collections.abc import Callable

from scenarios.propagation import STEP, compare_with_model, until_fresh
from scenarios.scenario import Scenario
from scenarios.setups import RED_TO_BLUE, cached_red_thumb, replace_with_blue


async def busting_propagation(sc: Scenario, url: Callable[[str, int], str], what: str) -> None:
    await sc.begin()
    pack, path = await cached_red_thumb(sc)
    write_at = await replace_with_blue(sc, pack)
    tick = sc.tick_after(write_at)
    measured = await until_fresh(
        sc, lambda n: url(pack, n), RED_TO_BLUE, until=tick + 60, keep_probing=15
    )
    model: dict[str, float | None] = {lane: tick for lane in sc.result.lanes}
    compare_with_model(sc, measured, model, what=f"{what} buster", since=write_at)
    before = [o for o in sc.result.observations if write_at <= o.t < tick - STEP]
    sc.check(
        "before the tick the buster gets the stale S3 variant",
        bool(before) and all(o.state == "stale" for o in before),
        expected="stale until the tick",
        measured=f"{sum(o.state == 'stale' for o in before)} of {len(before)} stale",
    )
    # Where the plain URL stands meanwhile: still cached until each POP's invalidation.
    sc.measure(
        "plain_url_after_tick",
        [(lane, (await sc.probe(lane, path, RED_TO_BLUE))[0]) for lane in sc.result.lanes],
    )
