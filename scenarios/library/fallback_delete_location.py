"""``deleteImageLocation`` empties a location: once propagated, every POP serves the
fallback's image there (at the next tick plus its delay)."""

from __future__ import annotations

from scenarios.fallbacks import SIZES, fallback_configs, showing
from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import pack_with, settle, tick_propagation
from scenarios.target import Target

NAME = "fallback-delete-location"
GROUP = "fallback"
TITLE = "deleteImageLocation falls back to the fallback's image once propagated"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        pack = await pack_with(sc, {"main": solid("red"), "thumb": solid("blue")})
        await settle(sc)
        path = f"/api/v2/img/{pack}?location=thumb"

        async def delete_thumb() -> None:
            await sc.sim.admin(
                "POST",
                f"/adminAPI/imagePack/{pack}/deleteImageLocation",
                json={"imageLocationName": "thumb"},
            )

        await tick_propagation(
            sc,
            pack,
            path,
            showing("red", SIZES["thumb"], old="blue"),
            delete_thumb,
            "deleteImageLocation thumb",
        )
        header = sc.header("X-Image-Location") or None
        sc.check(
            "X-Image-Location says main once fresh",
            header == "main",
            expected="main",
            measured=header,
        )
    return sc.result
