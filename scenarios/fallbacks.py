"""Fallback set-ups: ``main`` ← ``thumb`` ← ``cover`` (each config's fallback is the
next), and checks that a POP served a given location's image at the requested size."""

from __future__ import annotations

from scenarios.images import Look
from scenarios.result import State
from scenarios.scenario import Scenario
from scenarios.setups import ensure_config

SIZES = {"main": (320, 180), "thumb": (160, 90), "cover": (120, 180)}


async def fallback_configs(sc: Scenario) -> None:
    await ensure_config(sc, "main", {"width": 320, "height": 180})
    await ensure_config(sc, "thumb", {"width": 160, "height": 90, "fallback": "main"})
    await ensure_config(sc, "cover", {"width": 120, "height": 180, "fallback": "thumb"})


def showing(colour: str, size: tuple[int, int], old: str | None = None):  # type: ignore[no-untyped-def]
    """Fresh: ``colour`` at exactly ``size``; stale: ``old``; anything else: other."""

    def classify(seen: Look | None, status: int) -> State:
        if seen is None:
            return "error"
        if seen.colour == colour and seen.size == size:
            return "fresh"
        return "stale" if seen.colour == old else "other"

    return classify


async def served_everywhere(
    sc: Scenario, path: str, colour: str, size: tuple[int, int], image_location: str, what: str
) -> None:
    """Every POP serves ``colour`` at ``size`` and says ``X-Image-Location: image_location``."""
    results = []
    for lane in sc.result.lanes:
        state, seen = await sc.probe(lane, path, showing(colour, size))
        header = sc.header("X-Image-Location") or None
        results.append((lane, state, seen.label if seen else "-", header))
    sc.check(
        what,
        all(state == "fresh" and header == image_location for _, state, _, header in results),
        expected=f"{colour} {size[0]}x{size[1]}, X-Image-Location: {image_location}",
        measured="; ".join(
            f"{lane}: {label}, X-Image-Location: {header}" for lane, _, label, header in results
        ),
    )
