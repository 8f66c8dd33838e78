"""What ``cdnsim load`` says while a run goes: the line when Locust starts, a live line
every few seconds (:mod:`cdnsim.load.live` makes it), and a warning when no aggregator tick
of the target will fall within the run."""

from __future__ import annotations

import time
from typing import Any

import aiohttp

from cdnsim.load import figures, live
from cdnsim.load.settings import LoadSettings


async def warn_without_tick(
    session: aiohttp.ClientSession, ready: dict[str, Any], duration: float
) -> None:
    try:
        async with session.get(f"{ready['control']}/_sim/clock") as response:
            clock = await response.json() if response.status == 200 else {}
    except (aiohttp.ClientError, ValueError):
        return  # a stack without the /_sim API: nothing to say
    if warning := live.no_tick_warning(clock, duration):
        print(warning, flush=True)


def starting(settings: LoadSettings, ready: dict[str, Any]) -> str:
    who = f"{settings.users} users ({settings.spawn_rate:g}/s) on {len(ready['pops'])} POPs"
    if settings.web_port is None:
        return (f"Locust {settings.profile}: {who} for {settings.duration:g} s; a line every "
                f"{live.EVERY:g} s (the {live.WINDOW:g} s ending {live.LAG:g} s before)")  # fmt: skip
    return (f"Locust's web UI: http://127.0.0.1:{settings.web_port}/ ({settings.profile}: {who} "
            "and the cdnsim options filled in; press Start there). Ctrl-C here ends the run "
            "and writes the report")  # fmt: skip


def print_live(
    settings: LoadSettings,
    samples: list[dict[str, Any]],
    timelines: list[dict[str, Any]],
    started: float,
) -> None:
    duration = settings.duration if settings.web_port is None else float("inf")
    line = live.live_line(
        samples, figures.merge_timelines(timelines), started, time.time(), duration
    )
    if line:
        print(line, flush=True)
