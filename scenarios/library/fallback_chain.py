"""Fallback chains: ``cover`` → ``thumb`` → ``main``; with only ``main`` filled, and then
with ``thumb`` filled too, ``cover`` serves the first image along the chain at its own size."""

from __future__ import annotations

from scenarios.fallbacks import SIZES, fallback_configs, served_everywhere
from scenarios.images import solid
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario
from scenarios.setups import pack_with
from scenarios.target import Target

NAME = "fallback-chain"
GROUP = "fallback"
TITLE = "A fallback chain serves the first image along it, at the requested size"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        await fallback_configs(sc)
        only_main = await pack_with(sc, {"main": solid("red")})
        main_and_thumb = await pack_with(sc, {"main": solid("red"), "thumb": solid("blue")})
        await served_everywhere(
            sc,
            f"/api/v2/img/{only_main}?location=cover",
            "red",
            SIZES["cover"],
            "main",
            "cover → thumb → main: main's image at 120x180",
        )
        await served_everywhere(
            sc,
            f"/api/v2/img/{main_and_thumb}?location=cover",
            "blue",
            SIZES["cover"],
            "thumb",
            "cover → thumb: thumb's image at 120x180",
        )
        sc.measure("headline", "cover→thumb→main resolved at 120x180 on every POP")
    return sc.result
