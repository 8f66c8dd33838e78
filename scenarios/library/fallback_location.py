"""A location with no image of its own serves its ``fallback`` location's image, at
its own size, and says so in ``X-Image-Location``."""

from __future__ import annotations

from scenarios.fallbacks import SIZES, fallback_configs, served_everywhere
from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import pack_with
from scenarios.target import Target

NAME = "fallback-location"
GROUP = "fallback"
TITLE = "An empty location serves its fallback's image at its own size"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        pack = await pack_with(sc, {"main": solid("red")})
        await served_everywhere(
            sc,
            f"/api/v2/img/{pack}?location=thumb",
            "red",
            SIZES["thumb"],
            "main",
            "thumb (empty) serves main's image at thumb's 160x90",
        )
        await served_everywhere(
            sc,
            f"/api/v2/img/{pack}?location=main",
            "red",
            SIZES["main"],
            "main",
            "main serves its own image at 320x180",
        )
        sc.measure("headline", "thumb → main: main's image at 160x90 on every POP")
    return sc.result
