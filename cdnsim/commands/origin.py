"""``cdnsim origin``: the Vimond Image Service origin on its own."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
from dataclasses import replace

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.runtime import run_until_signalled
from cdnsim.tls import server_context
from common.clock import Clock
from common.serving import listen, serve_app
from origin.app import create_app

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser)
    add_aggregator_arguments(parser)
    parser.add_argument("--clock", default="real", help="real, scaled:N[@ANCHOR] or manual")
    parser.add_argument(
        "--platform-port",
        type=int,
        default=None,
        metavar="PORT",
        help="also serve the platform invalidation API (the manage.api host) on this port "
        "(0: any free port); it stays on the origin's port too",
    )


def run(args: argparse.Namespace) -> int:
    settings = origin_settings_from_args(args)
    clock = Clock.parse(args.clock)
    platform = None
    if args.platform_port is not None:
        # Bound now, so that the app knows the port its platform listener has (0: any).
        platform = _bind(settings.host, args.platform_port)
        settings = replace(settings, platform_port=platform.getsockname()[1])
    return asyncio.run(_serve(settings, clock, platform))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:  # worded as aiohttp words its own, so both read alike
        raise OSError(
            exc.errno, f"error while attempting to bind on address {(host, port)!r}: {exc.strerror}"
        ) from None


async def _serve(settings, clock: Clock, platform: socket.socket | None) -> int:  # type: ignore[no-untyped-def]
    ssl_context = server_context(
        settings.tls_cert, settings.tls_key, ["localhost"] if settings.tls_self_signed else None
    )
    runner, url = await serve_app(
        create_app(settings, clock=clock), settings.host, settings.port, ssl_context=ssl_context
    )
    print(f"origin listening on {url} (tenant {settings.default_tenant})", flush=True)
    if platform is not None:
        platform_url = await listen(
            runner, settings.host, 0, sock=platform, ssl_context=ssl_context
        )
        print(
            f"platform API listening on {platform_url} "
            f"(DELETE /{settings.environment}-lof/images/{{tenant}}/{{imagePackId}})",
            flush=True,
        )
    try:
        await run_until_signalled()
    finally:
        await runner.cleanup()
    return 0
