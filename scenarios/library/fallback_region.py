"""Region-specific images: a region with its own image serves it; a region without one
falls back to the default image of the location."""

from __future__ import annotations

from scenarios.fallbacks import SIZES, fallback_configs, served_everywhere
from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import pack_with
from scenarios.target import Target

NAME = "fallback-region"
GROUP = "fallback"
TITLE = "A missing region image falls back to the default one"
REGIONS = [
    {"name": "nordic", "label": "Nordic", "countries": ["NO", "SE"]},
    {"name": "baltic", "label": "Baltic", "countries": ["EE", "LV", "LT"]},
]


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        existing = {r["name"] for r in await sc.sim.admin("GET", "/api/v2/regions")}
        for region in REGIONS:
            if region["name"] not in existing:
                await sc.sim.admin("POST", "/adminAPI/regions", json=region)
        pack = await pack_with(sc, {"main": solid("red")})
        await sc.sim.upload(pack, "main", solid("green"), region="nordic")
        base = f"/api/v2/img/{pack}?location=main"
        await served_everywhere(
            sc,
            base + "&region=nordic",
            "green",
            SIZES["main"],
            "main",
            "nordic has its own image: served",
        )
        await served_everywhere(
            sc,
            base + "&region=baltic",
            "red",
            SIZES["main"],
            "main",
            "baltic has none: the default image",
        )
        await served_everywhere(
            sc, base, "red", SIZES["main"], "main", "no region: the default image"
        )
        sc.measure("headline", "nordic → its own image; baltic → the default image")
    return sc.result
