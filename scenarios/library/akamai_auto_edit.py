"""Akamai's counterpart of Vimond's ``force=true`` rebuild: editing the ``.auto`` policy
makes a new version, and since the version is in every derivative's cache key, every
derivative under it becomes a miss at once — no purge, no invalidation bill, but a
surge of renders and origin fetches."""

from __future__ import annotations

from typing import Any

from scenarios.costs import charge
from scenarios.images import Look, solid
from scenarios.result import ScenarioResult, State
from scenarios.scenario import Scenario, Skip
from scenarios.setups import pack_with, settle
from scenarios.target import Target

NAME = "akamai-auto-edit"
GROUP = "rebuild"
TITLE = "Akamai: a .auto edit turns every derivative into a miss (the surge, no purge)"
WIDTHS = (300, 600, 1000, 2000)  # → breakpoints 320, 640, 1024, 2048
CHROME = {
    "User-Agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/126.0 Safari/537.36",
    "Accept": "image/webp,image/*,*/*;q=0.8",
}
PACKS = 3


def served(seen: Look | None, status: int) -> State:
    return "fresh" if seen is not None else "error"


def akamai_costs(events: list[dict[str, Any]]) -> dict[str, Any]:
    renders = [e["data"] for e in events if e["kind"] == "render" and e["component"] == "akamai"]
    fetches = [
        e["data"] for e in events if e["kind"] == "origin_fetch" and e["component"] == "akamai"
    ]
    paths = sum(
        len(e["data"].get("paths", [])) for e in events if e["kind"] == "invalidation_created"
    )
    return {
        "renders": len(renders),
        "origin_fetches": len(fetches),
        "origin_bytes": sum(int(f.get("bytes", 0)) for f in fetches),
        "invalidation_paths": paths,
        "versions_rendered": sorted({int(r.get("version", 0)) for r in renders}),
        "wall_render_cpu_seconds": round(sum(float(r.get("cpu_seconds", 0.0)) for r in renders), 4),
    }


async def request_all(sc: Scenario, prefix: str, packs: list[str]) -> list[str]:
    statuses = []
    for pack in packs:
        for width in WIDTHS:
            for lane in sc.result.lanes:
                await sc.probe(
                    lane, f"{prefix}/api/v2/img/{pack}?imwidth={width}", served, headers=CHROME
                )
                cache = sc.header("Cache-Status")
                statuses.append("hit" if "; hit" in cache.split(",")[0] else "miss")
    return statuses


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        akamai = target.raw.get("akamai")
        if not akamai:
            raise Skip("the target has no Akamai property (cdnsim up --demo configures one)")
        await sc.begin()
        prefix = akamai["delivery"].removeprefix(target.pop_url(target.pop_ids[0]))
        api, token = akamai["api"], {"Luna-Token": akamai["luna_token"]}
        packs = [
            await pack_with(sc, {"main": solid(c, (1600, 900), "JPEG")})
            for c in ("red", "blue", "green")
        ]
        await settle(sc)
        await request_all(sc, prefix, packs)
        warm = await request_all(sc, prefix, packs)
        policy = (
            await sc.sim.request("GET", f"{api}/imaging/v2/policies/.auto", headers=token)
        ).json()
        since = await sc.sim.last_event()
        edited = {
            k: v for k, v in policy.items() if k not in ("version", "dateCreated", "user", "id")
        }
        edited["output"] = {**edited.get("output", {}), "quality": 80}
        reply = await sc.sim.request(
            "PUT", f"{api}/imaging/v2/policies/.auto", headers=token, json=edited
        )
        sc.mark("write", f".auto edited (quality 80): {reply.status}")
        after = await request_all(sc, prefix, packs)
        cost = akamai_costs(await sc.sim.events(since))
        derivatives = PACKS * len(WIDTHS)
        sc.check(
            "before the edit every request is a hit",
            all(s == "hit" for s in warm),
            expected="all hits",
            measured=f"{warm.count('hit')} of {len(warm)} hits",
        )
        sc.check(
            "the edit makes a new version",
            reply.status == 200,
            expected="200",
            measured=reply.status,
        )
        first_pop = after[:: len(sc.result.lanes)]
        sc.check(
            "right after the edit, the first request for each derivative misses",
            all(s == "miss" for s in first_pop),
            expected="all misses",
            measured=f"{first_pop.count('miss')} of {len(first_pop)} misses",
        )
        sc.check(
            "every derivative rendered once more, under the new version",
            cost["renders"] == derivatives
            and cost["versions_rendered"] == [int(policy.get("version", 1)) + 1],
            expected=f"{derivatives} renders of version {int(policy.get('version', 1)) + 1}",
            measured=f"{cost['renders']} renders of versions {cost['versions_rendered']}",
        )
        sc.check(
            "no purge and no invalidation bill",
            cost["invalidation_paths"] == 0,
            expected="0 paths, $0",
            measured=f"{cost['invalidation_paths']} paths",
        )
        sc.table(
            "Cost of the .auto edit",
            [
                "derivatives",
                "renders",
                "origin fetches",
                "bytes from origin",
                "invalidation paths",
                "CloudFront-style charge",
            ],
            [
                [
                    derivatives,
                    cost["renders"],
                    cost["origin_fetches"],
                    cost["origin_bytes"],
                    cost["invalidation_paths"],
                    f"${charge(cost['invalidation_paths']):.3f}",
                ]
            ],
        )
        sc.measure("cost", cost)
        sc.measure(
            "headline",
            f".auto edit: {cost['renders']} renders, {cost['origin_fetches']} origin fetches, "
            f"{cost['invalidation_paths']} purge paths",
        )
    return sc.result
