"""Bug: the origin picks WebP for browsers that accept it but says nothing (no
``Vary: Accept``) and the edge leaves ``Accept`` out of its key: the first browser's
format is cached for everyone, and a browser without WebP gets WebP."""

from __future__ import annotations

from scenarios.bugs import Outcome, reproduce_then_fix
from scenarios.images import Look, solid
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import THUMB, THUMB_SIZE, ensure_config, pack_with
from scenarios.target import Target

NAME = "bug-accept-not-in-key"
GROUP = "stale-bugs"
TITLE = "A format negotiated on Accept, cached without Vary"
WEBP_BROWSER = {"Accept": "image/avif,image/webp,image/apng,image/*,*/*;q=0.8"}
OLD_BROWSER = {"Accept": "image/jpeg,image/png;q=0.9"}


def jpeg_or_png(seen: Look | None, status: int) -> State:
    if seen is None:
        return "error"
    return "fresh" if seen.format in ("JPEG", "PNG") else "stale"


def anything(seen: Look | None, status: int) -> State:
    return "error" if seen is None else "other"


async def story(sc: Scenario, phase: str) -> Outcome:
    await ensure_config(sc, THUMB, THUMB_SIZE)
    pack = await pack_with(sc, {"main": solid("red")})
    path = f"/api/v2/img/{pack}?location={THUMB}"
    wrong, served = [], []
    for lane in sc.result.lanes:
        _, first = await sc.probe(
            lane, path, anything, headers=WEBP_BROWSER
        )  # a WebP browser comes first
        state, second = await sc.probe(lane, path, jpeg_or_png, headers=OLD_BROWSER)
        served.append(
            f"{lane}: {first.format if first else '-'} then {second.format if second else '-'}"
        )
        wrong += [lane] if state != "fresh" else []
    await sc.advance(30)
    if wrong:
        return Outcome(True, f"a browser without WebP got WebP at {', '.join(wrong)}")
    return Outcome(False, "each browser got a format it accepts (" + "; ".join(served) + ")")


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await reproduce_then_fix(
            sc,
            "accept-not-in-key",
            True,
            story,
            reproduced="the WebP answer is cached under a key without Accept and served to everyone",
            fixed="Vary: Accept and Accept in the key keep one entry per format",
        )
    return sc.result
