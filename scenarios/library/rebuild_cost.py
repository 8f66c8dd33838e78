"""What a location-config change costs. A label-only change renders nothing and
invalidates nothing; a forced size change invalidates every pack of the tenant (one
wildcard path each, every S3 variant of each pack), so every variant requested
afterwards is rendered again — of every location, not only the changed one."""

from __future__ import annotations

from scenarios.costs import COLUMNS, FREE_PATHS_PER_MONTH, PRICE_PER_PATH, Costs, charge, costs
from scenarios.fallbacks import fallback_configs
from scenarios.images import Look, solid
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import SETTLE, pack_with, settle
from scenarios.target import Target

NAME = "rebuild-cost"
GROUP = "rebuild"
TITLE = "Rebuild cost: a label change against a forced size change"
PACKS = 4
LOCATIONS = ("main", "thumb", "cover")
COLOURS = ("red", "blue", "green", "yellow")
AT_SCALE = 100_000  # packs in a large tenant, for the charge at scale


def served(seen: Look | None, status: int) -> State:
    return "fresh" if seen is not None else "error"


async def request_everything(sc: Scenario, packs: list[str]) -> int:
    """Every location of every pack at every POP; how many distinct variants that is."""
    for pack in packs:
        for location in LOCATIONS:
            for lane in sc.result.lanes:
                await sc.probe(lane, f"/api/v2/img/{pack}?location={location}", served)
    return len(packs) * len(LOCATIONS)


async def measure(sc: Scenario, packs: list[str], change: str, write) -> tuple[Costs, int]:  # type: ignore[no-untyped-def]
    since, write_at = await sc.sim.last_event(), sc.t()
    await write()
    sc.mark("write", change)
    await sc.advance_to(sc.tick_after(write_at) + SETTLE)  # invalidations applied everywhere
    variants = await request_everything(sc, packs)
    tier = "shield" if sc.target.shield else "*"
    return costs(await sc.sim.events(since), fetching_tier=tier), variants


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        packs = [await pack_with(sc, {"main": solid(colour)}) for colour in COLOURS[:PACKS]]
        await settle(sc)
        await request_everything(sc, packs)

        async def relabel() -> None:
            await sc.sim.admin(
                "PUT", "/adminAPI/imageLocationConfig/thumb/label", json={"label": "Thumbnail v2"}
            )

        label, _ = await measure(sc, packs, "label change (thumb)", relabel)
        forced, variants = await measure(
            sc,
            packs,
            "forced size change (thumb → 200x100)",
            lambda: sc.sim.put_config(
                "thumb", {"width": 200, "height": 100, "fallback": "main"}, force=True
            ),
        )
        sc.check(
            "a label change renders nothing",
            label.renders == 0,
            expected="0 renders",
            measured=label.renders,
        )
        sc.check(
            "a label change invalidates nothing",
            label.invalidation_paths == 0 and label.variants_invalidated == 0,
            expected="0 paths, 0 variants",
            measured=f"{label.invalidation_paths} paths, {label.variants_invalidated} variants",
        )
        sc.check(
            "a forced change renders every variant requested afterwards",
            forced.renders == variants,
            expected=f"{variants} renders ({PACKS} packs × {len(LOCATIONS)} locations)",
            measured=forced.renders,
        )
        sc.check(
            "one wildcard path per pack",
            forced.invalidation_paths == PACKS,
            expected=f"{PACKS} paths",
            measured=forced.invalidation_paths,
        )
        sc.check(
            "one origin fetch per variant, whatever the number of POPs",
            forced.origin_fetches == variants,
            expected=variants,
            measured=forced.origin_fetches,
        )
        sc.table(
            "Rebuild cost per change",
            ["change", *COLUMNS],
            [["label only", *label.row()], ["forced size", *forced.row()]],
        )
        at_scale = AT_SCALE * len(LOCATIONS)
        sc.table(
            f"The forced change for a tenant of {AT_SCALE:,} packs",
            ["figure", "value"],
            [
                ["invalidation paths", f"{AT_SCALE:,}"],
                ["CloudFront charge (first of the month)", f"${charge(AT_SCALE):,.2f}"],
                [
                    f"renders if every variant is requested again ({len(LOCATIONS)} locations)",
                    f"{at_scale:,}",
                ],
                [
                    "price per path beyond the free tier",
                    f"${PRICE_PER_PATH} ({FREE_PATHS_PER_MONTH:,} free a month)",
                ],
            ],
        )
        sc.measure("label_change", vars(label) | {"render_cpu_seconds": None})
        sc.measure("forced_change", vars(forced) | {"render_cpu_seconds": None})
        # CPU time is the machine's, not the simulation's: kept apart from the comparable figures.
        sc.measure(
            "wall_render_cpu_seconds",
            {"label": label.render_cpu_seconds, "forced": forced.render_cpu_seconds},
        )
        sc.measure(
            "headline",
            f"label: {label.renders} renders, {label.invalidation_paths} paths · forced: "
            f"{forced.renders} renders, {forced.invalidation_paths} paths, {forced.origin_bytes:,} bytes",
        )
    return sc.result
