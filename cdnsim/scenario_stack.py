"""The in-process stack scenarios run on by default: embedded moto, three POPs and a
shield, the aggregator, one manual clock; seeded, so two runs give identical results."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from types import ModuleType
from typing import Any

from cdnsim.stack import Stack, StackSettings
from cdnsim.switches import BUG_NAMES, FLAG_SWITCHES, TIMED_BUGS
from common.clock import Clock
from origin.aggregator.settings import AggregatorSettings
from origin.settings import OriginSettings
from scenarios.runner import Progress, run_suite
from scenarios.target import Target

# How long the timed bugs last when switched on from the command line.
TIMED_DEFAULTS = {"s3-delete-after-edge": 120.0, "drop-writes-during-flush": 60.0}


def scenario_settings(seed: int, bugs: Sequence[str] = ()) -> StackSettings:
    """The stack's settings, with ``bugs`` (and ``fix-…`` switches) on from the start (a
    reset keeps them on)."""
    unknown = sorted(set(bugs) - set(BUG_NAMES))
    if unknown:
        raise ValueError(f"unknown bug {unknown[0]!r}; known: {', '.join(BUG_NAMES)}")
    pipeline: dict[str, Any] = {}
    for name in bugs:
        if name in TIMED_BUGS:
            flag, seconds = TIMED_BUGS[name]
            pipeline |= {flag: True, seconds: TIMED_DEFAULTS[name]}
        elif name in FLAG_SWITCHES:
            pipeline[FLAG_SWITCHES[name]] = True
    # Negotiation on: the Accept scenario then compares the bug with a correct set-up.
    origin = OriginSettings(
        render_workers=1,
        id_seed=seed,
        negotiate_format=True,
        vary_on_negotiation="accept-not-in-key" not in bugs,
        pipeline=replace(AggregatorSettings(), **pipeline),
    )
    # demo: the Akamai property (and its ready-file entry) exists for the Akamai scenario.
    return StackSettings(origin=origin, seed=seed, demo=True)


async def run_in_process(
    modules: Sequence[ModuleType],
    *,
    seed: int,
    bugs: Sequence[str] = (),
    progress: Progress | None = None,
) -> dict[str, Any]:
    stack = Stack(scenario_settings(seed, bugs), Clock.manual())
    await stack.start()
    try:
        await stack.wait_ready()
        target = Target.from_ready(stack.ready())
        suite = await run_suite(target, modules, seed=seed, progress=progress, in_process=True)
        suite["target"]["bugs"] = sorted(bugs)
        return suite
    finally:
        await stack.stop()
