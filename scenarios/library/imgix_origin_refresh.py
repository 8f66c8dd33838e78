"""imgix keeps a replaced origin image: its origin cache holds the master image until
"the automated refresh process imgix uses (which can take 24-48 hours)" notices the
change (seed 004), so every POP, and every derivative first asked for meanwhile, serves
the old image long after the origin serves the new one. Told twice: reproduced (stale
until the automatic refresh, then fresh at each POP after the refresh purge's delay),
then fixed the way imgix tells its users to (a purge: fresh after each POP's delay).

The imgix source is a web folder over this stack's own image service
(``{origin}/api/v2/img/``, so an image path is a pack id): replacing the pack's main image
through the admin API is the origin change, visible at the origin itself after the
aggregator's tick. Needs the ready file's ``imgix`` entry and simulated time.
"""

from __future__ import annotations

from typing import Any

from scenarios.images import look, solid
from scenarios.propagation import (
    Propagation,
    by_colour,
    compare_with_model,
    invalidation_delays,
    until_fresh,
)
from scenarios.result import ScenarioResult
from scenarios.scenario import Scenario, Skip
from scenarios.setups import pack_with, settle, warm
from scenarios.target import Target

NAME = "imgix-origin-refresh"
GROUP = "stale-bugs"
TITLE = "imgix: a replaced origin image is stale until the automatic refresh or a purge"
RED_TO_BLUE = by_colour("blue", "red")
HOUR = 3600.0
DAY = 86400.0
REFRESH_WINDOW = (DAY, 2 * DAY)  # seed 004: "24-48 hours"
PROBE_WIDTHS = ("w=200", "w=120")  # a warmed derivative, and one first asked for later


class Imgix:
    """The imgix Management API of the target, with its admin key."""

    def __init__(self, sc: Scenario, entry: dict[str, Any]) -> None:
        self.sc, self.api = sc, entry["api"]
        self.headers = {
            "Authorization": f"Bearer {entry['api_key']}",
            "Content-Type": "application/vnd.api+json",
        }

    async def call(self, method: str, path: str, body: Any = None) -> Any:
        reply = await self.sc.sim.request(method, self.api + path, headers=self.headers, json=body)
        if reply.status not in (200, 201):
            raise RuntimeError(f"{method} {path} answered {reply.status}: {reply.body[:300]!r}")
        return reply.json()

    async def web_folder_source(self, subdomain: str) -> str:
        """A source over the stack's image service, kept at the edge for a year, deployed."""
        deployment = {
            "type": "webfolder",
            "webfolder_base_url": f"{self.sc.target.origin}/api/v2/img/",
            "imgix_subdomains": [subdomain],
            "cache_ttl_behavior": "override_origin",
            "cache_ttl_value": 31536000,
        }
        body = {
            "data": {"type": "sources", "attributes": {"name": subdomain, "deployment": deployment}}
        }
        source_id = str((await self.call("POST", "/api/v1/sources", body))["data"]["id"])
        for _ in range(60):
            doc = await self.call("GET", f"/api/v1/sources/{source_id}")
            if doc["data"]["attributes"]["deployment_status"] == "deployed":
                return source_id
            await self.sc.advance(5)
        raise RuntimeError(f"source {source_id} never deployed")

    async def purge(self, url: str) -> None:
        body = {"data": {"type": "purges", "attributes": {"url": url}}}
        await self.call("POST", "/api/v1/purge", body)


async def replaced_image(
    sc: Scenario, imgix: Imgix, subdomain: str
) -> tuple[str, str, list[str], float]:
    """A pack whose red image every POP has through imgix, replaced by a blue one that
    the origin itself serves after its tick: (source, pack, paths, replaced at)."""
    source_id = await imgix.web_folder_source(subdomain)
    pack = await pack_with(sc, {"main": solid("red")})
    await settle(sc)
    paths = [f"/imgix/{subdomain}/{pack}?{w}" for w in PROBE_WIDTHS]
    before = await warm(sc, paths[0], RED_TO_BLUE)
    sc.check(
        f"{subdomain}: every POP serves the old image before the replacement",
        all(s == "stale" for s in before),
        expected="red everywhere",
        measured=", ".join(before),
    )
    replaced_at = sc.t()
    await sc.sim.upload(pack, "main", solid("blue"))
    sc.mark("write", f"{subdomain}: origin image replaced (blue)")
    await settle(sc)
    reply = await sc.sim.request("GET", f"{sc.target.origin}/api/v2/img/{pack}")
    at_origin = RED_TO_BLUE(look(reply.body) if reply.status == 200 else None, reply.status)
    sc.check(
        f"{subdomain}: the origin itself serves the new image after its tick",
        at_origin == "fresh",
        expected="fresh",
        measured=at_origin,
    )
    return source_id, pack, paths, replaced_at


async def stale_everywhere(sc: Scenario, paths: list[str]) -> list[str]:
    """What every POP serves for every path now."""
    return [
        (await sc.probe(lane, path, RED_TO_BLUE))[0] for path in paths for lane in sc.result.lanes
    ]


async def refresh_time(sc: Scenario, source_id: str, pack: str, since: int) -> tuple[float, float]:
    """(fetched, refresh) scenario times of the master imgix fetched for ``pack``, from
    its ``master_fetched`` event."""
    for event in await sc.sim.events(since, ["master_fetched"]):
        data = event["data"]
        if data.get("source") == source_id and data.get("path") == f"/{pack}":
            if data.get("refresh_at") is None:
                raise Skip("the target's imgix does not refresh automatically (refresh off)")
            return round(float(event["time"]) - sc.t0, 3), round(
                float(data["refresh_at"]) - sc.t0, 3
            )
    raise RuntimeError(f"imgix never fetched {pack}")


async def reproduced(sc: Scenario, imgix: Imgix) -> None:
    since = await sc.sim.last_event()
    source_id, pack, paths, _ = await replaced_image(sc, imgix, "refresh")
    fetched, refresh = await refresh_time(sc, source_id, pack, since)
    states: list[str] = []
    while sc.t() + HOUR < refresh - 60:
        states += await stale_everywhere(sc, paths)
        await sc.advance(HOUR)
    await sc.advance_to(refresh - 10)
    states += await stale_everywhere(sc, paths)
    sc.check(
        "reproduced: stale at every POP (new derivatives too) until the automatic refresh",
        all(s == "stale" for s in states),
        expected="only the old image, probed hourly",
        measured=f"{states.count('stale')} of {len(states)} answers old",
        detail="imgix's origin cache keeps the master; the edge keeps its derivatives",
    )
    lower, upper = REFRESH_WINDOW
    sc.check(
        "the automatic refresh comes 24 to 48 hours after imgix fetched the image",
        lower <= refresh - fetched <= upper,
        expected="86400 to 172800 s",
        measured=f"{refresh - fetched:g} s",
    )
    before = await sc.sim.last_event()
    measured = await until_fresh(sc, paths[0], RED_TO_BLUE, until=refresh + 300, keep_probing=20)
    _, delays = await invalidation_delays(sc, source_id, before)
    sc.mark("phase", "automatic refresh", t=refresh)
    looks = await sc.sim.events(before, ["asset_refreshed"])
    sc.check(
        "the refresh notices the change and purges",
        [e["data"].get("outcome") for e in looks] == ["changed"] and bool(delays),
        expected="changed, one purge",
        measured=f"{[e['data'].get('outcome') for e in looks]}, delays {delays}",
    )
    model = {lane: refresh + delays[lane] if lane in delays else None for lane in sc.result.lanes}
    compare_with_model(sc, measured, model, what="after the automatic refresh", since=refresh)
    sc.measure(
        "refresh",
        {
            "fetched": fetched,
            "refresh": refresh,
            "after_hours": round((refresh - fetched) / HOUR, 2),
        },
    )


async def fixed_by_a_purge(sc: Scenario, imgix: Imgix) -> Propagation:
    since = await sc.sim.last_event()
    source_id, pack, paths, replaced_at = await replaced_image(sc, imgix, "purged")
    _, refresh = await refresh_time(sc, source_id, pack, since)
    states = await stale_everywhere(sc, paths)
    sc.check(
        "before the purge: still stale at every POP though the origin has the new image",
        all(s == "stale" for s in states),
        expected="only the old image",
        measured=f"{states.count('stale')} of {len(states)} answers old",
    )
    before = await sc.sim.last_event()
    purged_at = sc.t()
    await imgix.purge(f"https://purged.imgix.net/{pack}")
    sc.mark("phase", "imgix purge")
    measured = await until_fresh(sc, paths[0], RED_TO_BLUE, until=purged_at + 300, keep_probing=20)
    _, delays = await invalidation_delays(sc, source_id, before)
    model = {lane: purged_at + delays[lane] if lane in delays else None for lane in sc.result.lanes}
    compare_with_model(sc, measured, model, what="after the purge", since=purged_at)
    fresh_new = [(await sc.probe(lane, paths[1], RED_TO_BLUE))[0] for lane in sc.result.lanes]
    sc.check(
        "fixed with a purge: every POP fresh, new derivatives too, long before the refresh",
        not measured.never_fresh
        and measured.last_fresh < refresh
        and all(s == "fresh" for s in fresh_new),
        expected=f"fresh by {purged_at + max(delays.values(), default=0):g} s (refresh at {refresh:g} s)",
        measured="never"
        if measured.never_fresh
        else f"{measured.last_fresh:g} s; new: {', '.join(fresh_new)}",
    )
    sc.measure("purge", {"replaced_at": replaced_at, "purged_at": purged_at, "delays": delays})
    return measured


async def run(target: Target) -> ScenarioResult:
    async with Scenario(target, NAME, GROUP, TITLE) as sc:
        entry = target.raw.get("imgix")
        if not entry or not entry.get("api"):
            raise Skip("the target has no imgix API (cdnsim up configures one)")
        await sc.begin()
        if sc.sim.mode == "real":
            raise Skip("needs simulated time: the refresh comes 24-48 simulated hours later")
        imgix = Imgix(sc, entry)
        sc.mark("phase", "told once: no purge (reproduced)")
        await reproduced(sc, imgix)
        sc.mark("phase", "told again: with a purge (fixed)")
        purged = await fixed_by_a_purge(sc, imgix)
        refresh = sc.result.measurements.get("refresh", {})
        sc.measure(
            "headline",
            f"no purge: stale {refresh.get('after_hours', '?')} h, until the automatic refresh · "
            f"with a purge: fresh everywhere {purged.last_fresh - sc.result.measurements['purge']['purged_at']:g} s later"
            if not purged.never_fresh
            else "with a purge: never fresh",
        )
    return sc.result
