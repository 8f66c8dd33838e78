"""``cdnsim tour``: start the embedded origin with demo data,
call every operation once, print what happened, exit 0 only if every answer was right."""

from __future__ import annotations

import argparse
import asyncio
import time

import aiohttp
from aiohttp import web

from cdnsim.demo import demo_image, seed_demo
from cdnsim.tour import Outcome, run_tour, tour_steps
from common.clock import Clock
from common.serving import serve
from origin.app import create_app
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET, OriginSettings


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="id generator seed (default 7)")


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args.seed))


async def _run(seed: int) -> int:
    started = time.perf_counter()
    # A tiny image host on loopback, so that fetchImage has an allowed place to fetch from.
    source = web.Application()
    picture = demo_image((0, 120, 120), "fetched", (800, 450))

    async def serve_picture(_: web.Request) -> web.Response:
        return web.Response(body=picture, content_type="image/jpeg")

    source.router.add_get("/picture.jpg", serve_picture)
    source_served = await serve(source)
    source_url = source_served.url
    settings = OriginSettings(
        port=0, id_seed=seed, render_workers=2, fetch_allowed_hosts=("127.0.0.1",)
    )
    origin_served = await serve(create_app(settings, clock=Clock()))
    origin_url = origin_served.url
    print(
        f"cdnsim: embedded origin on {origin_url} (embedded moto, a child process), tenant {settings.default_tenant}"
    )
    headers = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}
    try:
        async with aiohttp.ClientSession() as session:
            demo = await seed_demo(session, origin_url, headers)
            print(f"seeded demo data: {len(demo.pack_ids)} packs, {len(demo.image_ids)} originals")
            async with session.post(
                f"{origin_url}/adminAPI/imagePacks", json={}, headers=headers
            ) as response:
                fresh = (await response.json())["id"]
            steps = tour_steps(demo, f"{source_url}/picture.jpg", fresh, settings.environment)
            outcomes = await run_tour(session, origin_url, headers, steps)
    finally:
        await origin_served.close()
        await source_served.close()
    _print(outcomes)
    failed = [o for o in outcomes if not o.ok]
    print(
        f"\n{len(outcomes) - len(failed)} of {len(outcomes)} calls answered as expected "
        f"in {time.perf_counter() - started:.1f}s"
    )
    return 1 if failed else 0


def _print(outcomes: list[Outcome]) -> None:
    print(f"\n{'':2} {'status':>6}  {'call':<62} what")
    for o in outcomes:
        mark = "ok" if o.ok else "!!"
        expect = "" if o.ok else f" (expected {o.step.expect})"
        call = f"{o.step.method} {o.step.path}"
        call = call if len(call) <= 62 else call[:59] + "..."
        print(f"{mark:2} {o.status:>6}  {call:<62} {o.step.what}{expect} — {o.note}")
