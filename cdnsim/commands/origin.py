"""``cdnsim origin``: the Vimond Image Service origin on its own."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import ssl
import sys
from dataclasses import replace

from aiohttp import web

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.origin_workers import OriginWorkers, SharedState, check_workers
from cdnsim.runtime import run_until_signalled
from cdnsim.tls import server_context
from common.clock import Clock
from common.serving import listen, serve_app
from origin.app import create_app
from origin.settings import OriginSettings
from origin.storage import open_storage

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser)
    add_aggregator_arguments(parser)
    parser.add_argument("--clock", default="real", help="real, scaled:N[@ANCHOR] or manual")
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="origin processes sharing the port (SO_REUSEPORT), one render pool each (default 1)",
    )
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
    try:
        check_workers(settings, args.workers, clock)
    except ValueError as exc:
        print(f"cdnsim origin: {exc}", file=sys.stderr)
        return 2
    platform = None
    if args.platform_port is not None:
        # Bound now, so that the app knows the port its platform listener has (0: any).
        platform = _bind(settings.host, args.platform_port)
        settings = replace(settings, platform_port=platform.getsockname()[1])
    return asyncio.run(_serve(settings, clock, args.workers, platform))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:  # worded as aiohttp words its own, so both read alike
        raise OSError(
            exc.errno, f"error while attempting to bind on address {(host, port)!r}: {exc.strerror}"
        ) from None


async def _listen_platform(
    runner: web.AppRunner,
    settings: OriginSettings,
    platform: socket.socket | None,
    ssl_context: ssl.SSLContext | None,
) -> None:
    """The platform API's own listener, in this process only (workers serve the origin's)."""
    if platform is None:
        return
    url = await listen(runner, settings.host, 0, sock=platform, ssl_context=ssl_context)
    print(
        f"platform API listening on {url} "
        f"(DELETE /{settings.environment}-lof/images/{{tenant}}/{{imagePackId}})",
        flush=True,
    )


async def _serve(
    settings: OriginSettings, clock: Clock, workers: int, platform: socket.socket | None
) -> int:
    ssl_context = server_context(
        settings.tls_cert, settings.tls_key, ["localhost"] if settings.tls_self_signed else None
    )
    if workers == 1:
        runner, url = await serve_app(
            create_app(settings, clock=clock), settings.host, settings.port, ssl_context=ssl_context
        )
        print(f"origin listening on {url} (tenant {settings.default_tenant})", flush=True)
        await _listen_platform(runner, settings, platform, ssl_context)
        try:
            await run_until_signalled()
        finally:
            await runner.cleanup()
        return 0
    shared = SharedState.create(settings.storage.embedded or settings.storage.variants_start_empty)
    async with open_storage(
        settings.storage, coherence=shared.coherence, written_variants=shared.written_variants
    ) as storage:
        app = create_app(settings, clock=clock, storage=storage)
        runner, url = await serve_app(
            app, settings.host, settings.port, ssl_context=ssl_context, reuse_port=True
        )
        pool = OriginWorkers(settings, storage, shared, runner.addresses[0][1], clock.spec, workers)
        try:
            await pool.start()
            print(
                f"origin listening on {url} (tenant {settings.default_tenant}, {workers} workers)",
                flush=True,
            )
            await _listen_platform(runner, settings, platform, ssl_context)
            await run_until_signalled()
        finally:
            pool.stop()
            await runner.cleanup()
    return 0
