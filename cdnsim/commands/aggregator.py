"""``cdnsim aggregator``: the invalidation aggregator as its own process.

It reads the packs and location-config streams of the configured storage and
invalidates through the edge's CloudFront-compatible API at ``--edge-control``. Give it
the same storage endpoint as the origin and the same clock (scaled, same anchor).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib

from cdnsim.aggregator_config import add_aggregator_arguments, aggregator_settings_from_args
from cdnsim.origin_config import add_storage_arguments, storage_settings_from_args
from cdnsim.runtime import run_until_signalled
from cdnsim.usage import UsageError, clock_spec
from common.clock import Clock
from common.events import EventLog
from origin.aggregator.invalidator import EdgeInvalidations, PackInvalidator
from origin.aggregator.service import Aggregator
from origin.storage import open_storage


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_storage_arguments(parser)
    add_aggregator_arguments(parser)
    parser.add_argument(
        "--clock",
        type=clock_spec,
        default="real",
        help="real or scaled:N@ANCHOR (the same anchor as the stack's other parts)",
    )


def run(args: argparse.Namespace) -> int:
    return asyncio.run(_run(args))


async def _run(args: argparse.Namespace) -> int:
    storage_settings = storage_settings_from_args(args)
    if storage_settings.embedded:
        raise UsageError(
            "give --endpoint-url of the origin's storage (an embedded store is private to "
            "its process)"
        )
    settings = aggregator_settings_from_args(args)
    clock = Clock.parse(args.clock)
    events = EventLog(clock)
    async with open_storage(storage_settings) as storage:
        edge = (
            EdgeInvalidations(args.edge_control, settings.distribution_id)
            if args.edge_control
            else None
        )
        aggregator = Aggregator(
            storage, clock, events, settings, PackInvalidator(storage, events, settings, edge)
        )
        await aggregator.start()
        print(
            f"aggregator running: every {settings.interval:g}s, next tick at {aggregator.next_tick():.0f}",
            flush=True,
        )
        task = asyncio.create_task(aggregator.run())
        try:
            await run_until_signalled()
        finally:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
    return 0
