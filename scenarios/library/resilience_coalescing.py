"""Origin slow: many viewers ask every POP for one uncached image at once; coalescing
at each POP and at the shield sends exactly one request to the origin."""

from __future__ import annotations

import asyncio
import time

from scenarios.images import Look
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario
from scenarios.setups import settle, thumb_pack
from scenarios.target import Target

NAME = "resilience-coalescing"
GROUP = "resilience"
TITLE = "Origin slow: coalescing keeps it to one origin request per key"
VIEWERS = 20  # per POP
SLOW = 5.0  # simulated seconds the origin takes


def served(seen: Look | None, status: int) -> State:
    return "fresh" if seen is not None and seen.colour == "red" else "error"


async def wait_until_joined(sc: Scenario, since: int, expected: int, limit: float = 20.0) -> int:
    """Wait (long-polling the event log, bounded in wall time) for ``expected`` requests
    to join fetches already under way."""
    joined, position, deadline = 0, since, time.monotonic() + limit
    while joined < expected and time.monotonic() < deadline:
        events = await sc.sim.events(position, ["coalescing"], wait=2.0)
        if events:
            joined += len(events)
            position = events[-1]["seq"]
    return joined


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        await sc.begin(need_manual=True)
        pack, path = await thumb_pack(sc, "red")
        await settle(sc)
        since = await sc.sim.last_event()
        await sc.sim.fault("slow", SLOW)
        sc.mark("fault", f"origin slow ({SLOW:g} s)")
        try:
            requests = [
                asyncio.ensure_future(sc.probe(lane, path, served))
                for lane in sc.result.lanes
                for _ in range(VIEWERS)
            ]
            pops = len(sc.result.lanes)
            shield_joins = pops - 1 if sc.target.shield else 0
            joined = await wait_until_joined(sc, since, pops * (VIEWERS - 1) + shield_joins)
            await sc.advance(SLOW)
            states = await asyncio.gather(*requests)
        finally:
            await sc.sim.fault("up")
        events = await sc.sim.events(since, ["render", "variant_hit", "origin_fetch", "collapsed"])
        at_origin = [
            e
            for e in events
            if e["kind"] in ("render", "variant_hit") and e["data"].get("pack") == pack
        ]
        fetches: dict[str, int] = {}
        for event in events:
            if event["kind"] == "origin_fetch":
                fetches[event["data"]["pop"]] = fetches.get(event["data"]["pop"], 0) + 1
        sc.check(
            "every viewer got the image",
            all(state == "fresh" for state, _ in states),
            expected=f"{len(requests)} × 200",
            measured=f"{sum(s == 'fresh' for s, _ in states)} × 200",
        )
        sc.check(
            "one request reached the origin",
            len(at_origin) == 1,
            expected=1,
            measured=len(at_origin),
        )
        sc.check(
            "each tier sent one request upstream",
            all(n == 1 for n in fetches.values()) and bool(fetches),
            expected="1 per POP and 1 from the shield",
            measured=", ".join(f"{k}: {v}" for k, v in sorted(fetches.items())),
        )
        sc.table(
            "Requests per tier",
            ["tier", "viewer requests", "sent upstream"],
            [[lane, VIEWERS, fetches.get(lane, 0)] for lane in sc.result.lanes]
            + ([["shield", pops, fetches.get("shield", 0)]] if sc.target.shield else []),
        )
        sc.measure("joined", joined)
        sc.measure(
            "headline", f"{len(requests)} viewers on {pops} POPs → {len(at_origin)} origin request"
        )
    return sc.result
