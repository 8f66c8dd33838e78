"""An upload into a location that was falling back replaces the fallback's image on
every POP once propagated: at the next tick plus each POP's delay."""

from __future__ import annotations

from scenarios.fallbacks import SIZES, fallback_configs, showing
from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import pack_with, settle, tick_propagation
from scenarios.target import Target

NAME = "fallback-later-upload"
GROUP = "fallback"
TITLE = "A later upload into an empty location replaces the fallback once propagated"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        pack = await pack_with(sc, {"main": solid("red")})
        await settle(sc)
        path = f"/api/v2/img/{pack}?location=thumb"
        await tick_propagation(
            sc,
            pack,
            path,
            showing("blue", SIZES["thumb"], old="red"),
            lambda: sc.sim.upload(pack, "thumb", solid("blue")),
            "upload thumb (blue)",
        )
        header = sc.header("X-Image-Location") or None
        sc.check(
            "X-Image-Location says thumb once fresh",
            header == "thumb",
            expected="thumb",
            measured=header,
        )
    return sc.result
