"""Origin down: every POP keeps serving its copy after it expired (the origin is not
there to revalidate with), an object nobody cached gets an error, and once the
origin is back the POPs refresh."""

from __future__ import annotations

from scenarios.images import Look
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import settle, thumb_pack, warm
from scenarios.target import Target

NAME = "resilience-origin-down"
GROUP = "resilience"
TITLE = "Origin down: expired copies keep being served (stale-if-error)"
TTL = 86400.0  # the origin's default max-age


def red(seen: Look | None, status: int) -> State:
    return "error" if seen is None else "stale" if seen.colour == "red" else "other"


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin()
        _, path = await thumb_pack(sc, "red")
        cold, _ = await thumb_pack(sc, "blue")
        await settle(sc)
        await warm(sc, path, red)
        await sc.advance(TTL + 60)  # every copy has expired
        await sc.sim.fault("down")
        sc.mark("fault", "origin down")
        try:
            during = []
            for lane in sc.result.lanes:
                state, _ = await sc.probe(lane, path, red)
                during.append((lane, state, sc.header("Cache-Status")))
            statuses = []
            for lane in sc.result.lanes:
                await sc.probe(lane, f"/api/v2/img/{cold}?location=thumb", red)
                statuses.append(sc.last_reply.status if sc.last_reply else 0)
            await sc.advance(600)
            later = [(await sc.probe(lane, path, red))[0] for lane in sc.result.lanes]
        finally:
            await sc.sim.fault("up")
            sc.mark("fault", "origin back")
        sc.check(
            "every POP serves its expired copy while the origin is down",
            all(state == "stale" for _, state, _ in during),
            expected="200, the old image",
            measured="; ".join(f"{lane}: {state} [{cs}]" for lane, state, cs in during),
        )
        sc.check(
            "and still 10 minutes later",
            all(state == "stale" for state in later),
            expected="stale everywhere",
            measured=", ".join(later),
        )
        sc.check(
            "an object nobody cached gets a 5xx",
            all(500 <= s < 600 for s in statuses),
            expected="502 everywhere",
            measured=", ".join(map(str, statuses)),
        )
        await sc.advance(5)
        back = []
        for lane in sc.result.lanes:
            await sc.probe(lane, path, red)
            back.append(sc.header("Cache-Status"))
        sc.check(
            "after recovery the POPs fetch from the origin again",
            all("fwd=" in cs for cs in back),
            expected="a forward (revalidation or miss) per POP",
            measured="; ".join(back),
        )
        sc.measure(
            "headline",
            f"origin down {TTL + 60:g} s after caching: stale served at "
            f"{sum(s == 'stale' for _, s, _ in during)} of {len(during)} POPs, 5xx for uncached",
        )
    return sc.result
