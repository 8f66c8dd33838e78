"""Changing a pack location's ``cropInfo``: every POP shows the new rectangle from the
next tick plus its delay."""

from __future__ import annotations

from scenarios.images import quadrants
from scenarios.propagation import by_colour
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import THUMB, THUMB_SIZE, ensure_config, pack_with, settle, tick_propagation
from scenarios.target import Target

NAME = "propagation-crop"
GROUP = "propagation"
TITLE = "A cropInfo change reaches each POP at the next tick plus its delay"
TOP_LEFT = {"topLeftX": 0.0, "topLeftY": 0.0, "bottomRightX": 0.5, "bottomRightY": 0.5}
BOTTOM_RIGHT = {"topLeftX": 0.5, "topLeftY": 0.5, "bottomRightX": 1.0, "bottomRightY": 1.0}


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await ensure_config(sc, THUMB, THUMB_SIZE)
        # Quadrants red, green / blue, yellow: the crop's colour says which rectangle is served.
        pack = await pack_with(sc, {"main": quadrants(("red", "green", "blue", "yellow"))})
        await sc.sim.admin("PUT", f"/adminAPI/imagePack/{pack}/main", json={"cropInfo": TOP_LEFT})
        await settle(sc)
        path = f"/api/v2/img/{pack}?location={THUMB}"

        async def recrop() -> None:
            await sc.sim.admin(
                "PUT", f"/adminAPI/imagePack/{pack}/main", json={"cropInfo": BOTTOM_RIGHT}
            )

        await tick_propagation(
            sc, pack, path, by_colour("yellow", "red"), recrop, "cropInfo → bottom-right"
        )
    return sc.result
