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
from cdnsim.runtime import run_until_signalled
from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from vendors.registry import PLUGINS


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser)
    add_aggregator_arguments(parser)
    for plugin in PLUGINS.values():
        plugin.add_arguments(parser)
    stack = parser.add_argument_group("stack")
    stack.add_argument(
        "--clock", default="real", help="real, scaled:N[@ANCHOR] or manual (default real)"
    )
    stack.add_argument("--pops", type=int, default=3, help="edge POPs (default 3)")
    stack.add_argument(
        "--no-shield", action="store_true", help="POPs fill straight from the origin"
    )
    stack.add_argument("--profile", choices=("cloudfront", "rfc9111"), default="cloudfront")
    stack.add_argument(
        "--port-base",
        type=int,
        default=0,
        help="0: free ports; N: origin N, control N+1, shield N+2, platform API N+3, POPs "
        "from N+10 (Akamai N+5 to N+7, imgix N+8 and N+9)",
    )
    stack.add_argument(
        "--edge-cache-dir", type=Path, help="keep POP caches on disk here (default memory)"
    )
    stack.add_argument(
        "--invalidation-delay",
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
        "--ready-file", type=Path, help="write the endpoints as JSON once everything answers"
    )
    stack.add_argument(
        "--origin-workers",
        type=int,
        default=1,
        help="origin processes sharing its port (SO_REUSEPORT), one render pool each (default 1)",
    )
    parser.set_defaults(port=0)


def parse_delay(spec: str | None) -> dict[str, Any] | None:
    if not spec:
        return None
    kind, *numbers = spec.split(":")
    try:
        values = [float(n) for n in numbers]
        if kind == "fixed" and len(values) == 1:
            return {"kind": "fixed", "seconds": values[0]}
        if kind == "uniform" and len(values) == 2:
            return {"kind": "uniform", "min": values[0], "max": values[1]}
    except ValueError:
        pass
    raise SystemExit(f"--invalidation-delay must be fixed:S or uniform:MIN:MAX, not {spec!r}")


def run(args: argparse.Namespace) -> int:
    settings = StackSettings(
        origin=origin_settings_from_args(args),
        pops=args.pops,
        shield=not args.no_shield,
        profile=args.profile,
        port_base=args.port_base,
        edge_cache_dir=args.edge_cache_dir,
        invalidation_delays=parse_delay(args.invalidation_delay),
        demo=args.demo,
        seed=args.seed,
        vendors={name: PLUGINS[name].options(args) for name in args.vendor or PLUGINS},
        origin_workers=args.origin_workers,
    )
    clock = Clock.parse(args.clock)
    try:
        check_workers(settings.origin, args.origin_workers, clock)
    except ValueError as exc:
        print(f"cdnsim up: {exc}", file=sys.stderr)
        return 2
    return asyncio.run(_up(settings, clock, args.ready_file))


async def _up(settings: StackSettings, clock: Clock, ready_file: Path | None) -> int:
    stack = Stack(settings, clock)
    try:
        await stack.start()
        await stack.wait_ready()
        if ready_file:
            stack.write_ready_file(ready_file)
        _announce(stack)
        await run_until_signalled()
    finally:
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
