"""``cdnsim up``: moto, the origin, the edge POPs and a shield, and the aggregator in one
process on 127.0.0.1, sharing one clock. Prints the endpoints and a development admin
token; ``--ready-file`` gets the same as JSON once every part answers."""

from __future__ import annotations

import argparse
import asyncio
import sys
from pathlib import Path
from typing import Any

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.origin_workers import check_workers
from cdnsim.runtime import (
    add_connection_arguments,
    add_event_log_argument,
    connection_limits_from_args,
    run_until_signalled,
)
from cdnsim.stack import Stack, StackSettings
from cdnsim.usage import UsageError, at_least, clock_spec, directory, new_file, port
from common.clock import Clock
from edge.config import default_workers
from origin.storage.description import storage_line
from scenarios.target import FOR_SCENARIOS
from vendors.registry import PLUGINS, idle_options


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser, serving=False)  # the stack listens on loopback, free ports
    add_aggregator_arguments(parser)
    for plugin in PLUGINS.values():
        plugin.add_arguments(parser)
    stack = parser.add_argument_group("stack")
    stack.add_argument(
        "--clock",
        type=clock_spec,
        default="real",
        help="real, scaled:N[@ANCHOR] or manual (default real)",
    )
    stack.add_argument("--pops", type=at_least(1, 50), default=3, help="edge POPs (default 3)")
    stack.add_argument(
        "--no-shield", action="store_true", help="POPs fill straight from the origin"
    )
    stack.add_argument("--profile", choices=("cloudfront", "rfc9111"), default="cloudfront")
    stack.add_argument(
        "--port-base",
        type=port,
        default=0,
        help="0: free ports; N: origin N, control N+1, shield N+2, platform API N+3, POPs "
        "from N+10 (Akamai N+5 to N+7, imgix N+8 and N+9)",
    )
    stack.add_argument(
        "--edge-cache-dir", type=directory, help="keep POP caches on disk here (default memory)"
    )
    stack.add_argument(
        "--invalidation-delay",
        type=parse_delay,
        default=None,
        metavar="fixed:S | uniform:MIN:MAX",
        help="how long invalidations take to reach each POP (default: the profile's)",
    )
    stack.add_argument(
        "--demo", action="store_true", help="seed a tenant with configs, packs and images"
    )
    stack.add_argument(
        "--vendor",
        action="append",
        choices=sorted(PLUGINS),
        help="run only these vendors beside the edge (repeatable; default: every one)",
    )
    stack.add_argument(
        "--ready-file", type=new_file, help="write the endpoints as JSON once everything answers"
    )
    stack.add_argument(
        "--for-scenarios",
        action="store_true",
        help="a stack for scenario runs: the ready file says that `cdnsim scenario run "
        "--target` may reset it (otherwise that needs --reset)",
    )
    stack.add_argument(
        "--workers",
        type=at_least(1),
        default=None,
        help="worker processes per POP sharing its port and disk cache (default: one per core "
        "with a real or scaled clock; 1 with a manual clock, which one process must hold)",
    )
    stack.add_argument(
        "--origin-workers",
        type=at_least(1),
        default=1,
        help="origin processes sharing its port (SO_REUSEPORT), one render pool each (default 1)",
    )
    add_connection_arguments(parser)
    add_event_log_argument(parser)


def parse_delay(spec: str) -> dict[str, Any]:
    kind, *numbers = spec.split(":")
    try:
        values = [float(n) for n in numbers]
        if any(v < 0 for v in values) or values != sorted(values):
            raise ValueError("delays are ≥ 0, MIN ≤ MAX")
        if kind == "fixed" and len(values) == 1:
            return {"kind": "fixed", "seconds": values[0]}
        if kind == "uniform" and len(values) == 2:
            return {"kind": "uniform", "min": values[0], "max": values[1]}
    except ValueError:
        pass
    raise argparse.ArgumentTypeError(
        f"expected fixed:S or uniform:MIN:MAX (seconds ≥ 0, MIN ≤ MAX), not {spec!r}"
    )


def run(args: argparse.Namespace) -> int:
    if idle := idle_options(args, args.vendor or PLUGINS):
        raise UsageError(
            f"{idle[0]} options were given but --vendor leaves {idle[0]} out: add --vendor {idle[0]}"
        )
    if args.port_base and args.port_base + 10 + args.pops > 65535:
        raise UsageError(f"--port-base {args.port_base} leaves no room for {args.pops} POPs")
    settings = StackSettings(
        origin=origin_settings_from_args(args),
        pops=args.pops,
        shield=not args.no_shield,
        profile=args.profile,
        port_base=args.port_base,
        edge_cache_dir=args.edge_cache_dir,
        invalidation_delays=args.invalidation_delay,
        demo=args.demo,
        seed=args.seed,
        vendors={name: PLUGINS[name].options(args) for name in args.vendor or PLUGINS},
        workers=args.workers or default_workers(Clock.parse(args.clock).mode),
        origin_workers=args.origin_workers,
        connections=connection_limits_from_args(args),
        event_log_bytes=args.event_log_bytes,
    )
    clock = Clock.parse(args.clock)
    if clock.mode == "manual" and settings.workers > 1:
        raise UsageError("worker processes cannot share a manual clock: use --workers 1")
    try:
        check_workers(settings.origin, args.origin_workers, clock)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    extra = {FOR_SCENARIOS: True} if args.for_scenarios else {}
    return asyncio.run(_up(settings, clock, args.ready_file, extra))


async def _up(
    settings: StackSettings, clock: Clock, ready_file: Path | None, extra: dict[str, Any]
) -> int:
    stack = Stack(settings, clock)
    if ready_file:
        ready_file.unlink(missing_ok=True)  # a previous run's: readers wait for this run's
    try:
        await stack.start()
        await stack.wait_ready()
        if ready_file:
            stack.write_ready_file(ready_file, **extra)
        _announce(stack)
        await run_until_signalled()
    finally:
        if ready_file:
            ready_file.unlink(missing_ok=True)  # no longer ready: readers must not find it
        await stack.stop()
    print("cdnsim: stopped", flush=True)
    return 0


def _announce(stack: Stack) -> None:
    info = stack.ready()
    print(f"cdnsim up — clock {info['clock']}, tenant {info['tenant']}", flush=True)
    print(f"  origin   {info['origin']}")
    print(
        f"  platform {info['platform']}   (DELETE /{info['environment']}-lof/images/{{tenant}}/"
        "{imagePackId}; also on the origin)"
    )
    for pop in info["pops"]:
        print(f"  {pop['id']:<8} {pop['url']}")
    if info["shield"]:
        print(f"  shield   {info['shield']}")
    print(f"  control  {info['control']}   (CloudFront API, /_edge/…, /_sim/…)")
    print(f"  storage  {storage_line(info['storage'])}")
    print(f"  admin token: {info['admin_token']}")
    if "akamai" in info:
        akamai = info["akamai"]
        print(f"  akamai   API {akamai['api']}   delivery {akamai['delivery']}/…")
    if "imgix" in info:
        imgix = info["imgix"]
        delivery = imgix.get("delivery", f"{info['pops'][0]['url']}/imgix/{{subdomain}}")
        print(
            f"  imgix    API {imgix['api']}   delivery {delivery}{imgix.get('sample_path', '/…')}"
        )
    sys.stdout.flush()  # readers of a pipe (scripts, tests) see the whole announcement at once
