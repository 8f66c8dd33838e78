"""``cdnsim bench coalescing``: N concurrent cold requests for one variant through a POP.

An in-process stack (``cdnsim up --demo``: embedded storage, origin, POPs, shield) gets
``--requests`` simultaneous requests for one variant nobody has asked for yet, on one
POP. From the stack's counters and event log: how many went upstream from the POP, from
the shield to the origin, how many renders the origin did, and how many collapsed.
Ideal request coalescing: one of each.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

import aiohttp

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.stack import Stack, StackSettings
from cdnsim.usage import at_least
from common.clock import Clock


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--requests", type=at_least(1), default=100, help="concurrent cold requests"
    )
    parser.add_argument("--location", default="portal-cover")
    parser.add_argument("--width", type=at_least(1), default=480)


async def measure(requests: int, location: str, width: int) -> dict[str, Any]:
    """Start a demo stack, fire the requests at once, read back what the stack did."""
    origin_args = argparse.ArgumentParser()
    add_origin_arguments(origin_args)
    add_aggregator_arguments(origin_args)
    origin = origin_settings_from_args(origin_args.parse_args(["--render-workers", "1"]))
    stack = Stack(StackSettings(origin=origin, seed=1), Clock.manual())
    await stack.start()
    try:
        pack = (await stack.seed_demo())["packs"][0]
        pop = stack.ready()["pops"][0]
        url = f"{pop['url']}/api/v2/img/{pack}?location={location}&width={width}"
        since = stack.events.last_seq
        stats_url = f"{stack.ready()['control']}/_edge/pops/{pop['id']}/stats"
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=0)) as session:
            before = await _json(session, stats_url)

            async def one() -> int:
                async with session.get(url) as response:
                    await response.read()
                    return response.status

            started = time.perf_counter()
            statuses = await asyncio.gather(*(one() for _ in range(requests)))
            wall = time.perf_counter() - started
            after = await _json(session, stats_url)
        events = stack.events.read(since)
        kinds = [(e.component, e.kind, e.data.get("pop")) for e in events]
        return {
            "requests": requests,
            "ok": statuses.count(200),
            "wall_s": round(wall, 3),
            "pop_upstream_requests": kinds.count(("edge", "origin_fetch", pop["id"])),
            "shield_origin_requests": kinds.count(("edge", "origin_fetch", "shield")),
            "renders": kinds.count(("origin", "render", None)),
            "collapsed": after["collapsed"] - before["collapsed"],
            "ideal": {"pop_upstream_requests": 1, "shield_origin_requests": 1, "renders": 1},
        }
    finally:
        await stack.stop()


async def _json(session: aiohttp.ClientSession, url: str) -> dict[str, Any]:
    async with session.get(url) as response:
        return dict(await response.json())


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(measure(args.requests, args.location, args.width))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"coalescing: {result['requests']} concurrent cold requests for one variant on one POP → "
          f"{result['pop_upstream_requests']} upstream from the POP, {result['shield_origin_requests']} from the "
          f"shield to the origin, {result['renders']} render(s), {result['collapsed']} collapsed; "
          f"{result['ok']} answered 200 in {result['wall_s']:g} s. JSON: {args.output}")  # fmt: skip
    return 0 if result["ok"] == result["requests"] else 1
