"""``cdnsim edge``: edge POPs (and a shield) in front of an origin.

Generic mode runs one POP in front of any HTTP origin:
    cdnsim edge --origin http://127.0.0.1:8080 --port 8081 --profile rfc9111
``--vimond`` uses the built-in Vimond behaviours; ``--config FILE`` reads a whole
EdgeSettings JSON document (POPs, shield, behaviours, policies). ``--vendor akamai``,
``--vendor imgix`` run those vendors beside the POPs, in front of the same origin.
"""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import logging
import signal
import sys
from pathlib import Path
from typing import Any

from cdnsim.runtime import (
    add_connection_arguments,
    add_event_log_argument,
    connection_limits_from_args,
    write_ready_file,
)
from cdnsim.usage import UsageError, at_least, clock_spec, http_url, listen_error, new_file, port
from common.clock import Clock
from common.events import EventLog
from edge.config import EdgeSettings, PopSettings, generic_settings, vimond_behaviors
from edge.config_file import load_settings
from edge.stack import Edge
from edge.vendor import Vendor, VendorContext
from edge.workers import install_uvloop
from vendors.registry import PLUGINS, idle_options

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--origin", type=http_url, help="origin base URL (generic mode)")
    parser.add_argument(
        "--config",
        type=Path,
        help="EdgeSettings JSON file: POPs, shield, behaviours, policies "
        "(schema: edge/config.schema.json, example: edge/config.example.json)",
    )
    parser.add_argument(
        "--port", type=port, default=8081, help="POP port in generic mode (0: any free port)"
    )
    parser.add_argument("--profile", choices=("cloudfront", "rfc9111"), default="cloudfront")
    parser.add_argument("--vimond", action="store_true", help="the built-in Vimond behaviours")
    parser.add_argument(
        "--workers", type=at_least(1), default=1, help="worker processes sharing the port"
    )
    parser.add_argument(
        "--cache-dir", help="diskcache directory (default: memory; needed for --workers > 1)"
    )
    parser.add_argument(
        "--size-limit",
        type=at_least(1),
        default=256 * 1024 * 1024,
        help="cache size limit in bytes",
    )
    parser.add_argument(
        "--control-port", type=port, default=0, help="control API port (0: any free port)"
    )
    parser.add_argument(
        "--clock", type=clock_spec, default="real", help="real, scaled:N[@ANCHOR] or manual[@START]"
    )
    parser.add_argument(
        "--debug", action="store_true", help="add the cache key to every Cache-Status"
    )
    parser.add_argument(
        "--no-hit-events", action="store_true", help="do not log every hit (benchmarks)"
    )
    parser.add_argument(
        "--ready-file", type=new_file, help="write the POP and control URLs here once up"
    )
    parser.add_argument(
        "--vendor",
        action="append",
        default=[],
        choices=sorted(PLUGINS),
        help="run this vendor beside the POPs (repeatable): its properties in every worker, "
        "its APIs and renderer on their own ports",
    )
    for plugin in PLUGINS.values():
        plugin.add_arguments(parser)
    add_connection_arguments(parser)
    add_event_log_argument(parser)


def build_settings(args: argparse.Namespace) -> EdgeSettings:
    if args.config is not None:
        settings = load_settings(args.config)
    elif args.origin is None:
        raise ValueError("give --origin URL (generic mode) or --config FILE")
    elif args.vimond:
        pop = PopSettings(
            "pop-1",
            port=args.port,
            workers=args.workers,
            cache_dir=args.cache_dir,
            size_limit=args.size_limit,
        )
        settings = vimond_behaviors(args.origin, profile=args.profile, pops=(pop,))
    else:
        settings = generic_settings(
            args.origin, args.port, args.profile, workers=args.workers, cache_dir=args.cache_dir
        )
        pop = dataclasses.replace(settings.pops[0], size_limit=args.size_limit)
        settings = dataclasses.replace(settings, pops=(pop,))
    return dataclasses.replace(
        settings,
        debug=settings.debug or args.debug,
        hit_events=settings.hit_events and not args.no_hit_events,
        control_port=args.control_port or settings.control_port,
        connections=connection_limits_from_args(args, settings.connections),
    )


def run(args: argparse.Namespace) -> int:
    if idle := idle_options(args, args.vendor):
        raise UsageError(
            f"{idle[0]} options were given but {idle[0]} does not run: add --vendor {idle[0]}"
        )
    try:
        settings = build_settings(args)
        clock = Clock.parse(args.clock)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    uvloop = install_uvloop()
    if not uvloop:
        log.info("uvloop not installed: using asyncio's default event loop")
    return asyncio.run(_serve(settings, clock, args))


def _vendors(
    settings: EdgeSettings, clock: Clock, events: EventLog, args: argparse.Namespace
) -> list[Vendor]:
    origin = settings.origins.get("origin") or next(iter(settings.origins.values()))
    context = VendorContext(
        clock, events, origin, seed=settings.seed, connections=settings.connections
    )
    return [
        PLUGINS[n].create(PLUGINS[n].options(args), context) for n in dict.fromkeys(args.vendor)
    ]


async def _serve(settings: EdgeSettings, clock: Clock, args: argparse.Namespace) -> int:
    events = EventLog(clock, max_bytes=args.event_log_bytes)
    vendors = _vendors(settings, clock, events, args)
    edge = Edge(settings, clock=clock, events=events, vendors=vendors)
    ready_file: Path | None = args.ready_file
    try:
        await edge.start()
    except (OSError, ValueError) as exc:
        await edge.stop()
        if isinstance(exc, OSError) and (line := listen_error(exc)):
            raise UsageError(line) from None
        print(f"cdnsim edge: cannot start: {exc}", file=sys.stderr)
        return 1
    ready = {
        "pops": [{"id": pop_id, "url": url} for pop_id, url in edge.pop_urls.items()],
        "shield": edge.shield_url,
        "control": edge.control_url,
        "distribution_id": settings.distribution_id,
        "workers": {pop_id: pool.pids for pop_id, pool in edge.pools.items()},
        **_vendor_entries(vendors),
    }
    print(json.dumps(ready), flush=True)
    if ready_file is not None:
        write_ready_file(ready_file, ready)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)
    await edge.stop()
    return 0


def _vendor_entries(vendors: list[Vendor]) -> dict[str, Any]:
    entries = {vendor.name: vendor.ready() for vendor in vendors}
    return {name: entry for name, entry in entries.items() if entry}
