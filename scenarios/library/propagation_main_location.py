"""Changing a pack's ``mainImageLocation``: requests without ``location`` show the new
main image on every POP from the next tick plus its delay."""

from __future__ import annotations

from scenarios.images import solid
from scenarios.propagation import by_colour
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import ensure_config, pack_with, settle, tick_propagation
from scenarios.target import Target

NAME = "propagation-main-location"
GROUP = "propagation"
TITLE = "A mainImageLocation change reaches each POP at the next tick plus its delay"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await ensure_config(sc, "main", {"width": 320, "height": 180})
        await ensure_config(sc, "poster", {"width": 320, "height": 180})
        pack = await pack_with(sc, {"main": solid("red"), "poster": solid("green")})
        await settle(sc)
        path = f"/api/v2/img/{pack}?width=160&height=90"  # no location: the pack's main one

        async def switch_main() -> None:
            await sc.sim.admin(
                "PUT", f"/adminAPI/imagePack/{pack}", json={"mainImageLocation": "poster"}
            )

        await tick_propagation(
            sc, pack, path, by_colour("green", "red"), switch_main, "mainImageLocation → poster"
        )
    return sc.result
