"""``cdnsim origin``: the Vimond Image Service origin on its own."""

from __future__ import annotations

import argparse
import asyncio
import logging
import socket
import ssl
from dataclasses import replace
from pathlib import Path
from typing import Any

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.origin_workers import OriginWorkers, SharedState, check_workers
from cdnsim.runtime import (
    add_connection_arguments,
    connection_limits_from_args,
    run_until_signalled,
    write_ready_file,
)
from cdnsim.tls import server_context
from cdnsim.usage import UsageError, at_least, check_can_listen, clock_spec, new_file, port
from common.clock import Clock
from common.serving import ConnectionLimits, ServedApp, bind_error, serve
from origin.app import create_app
from origin.app_keys import STORAGE
from origin.settings import OriginSettings
from origin.storage import open_storage
from origin.storage.description import describe, storage_line

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser)
    add_aggregator_arguments(parser)
    parser.add_argument(
        "--clock", type=clock_spec, default="real", help="real, scaled:N[@ANCHOR] or manual"
    )
    parser.add_argument(
        "--ready-file",
        type=new_file,
        help="write origin, tenant, environment and process as JSON once it listens",
    )
    parser.add_argument(
        "--workers",
        type=at_least(1),
        default=1,
        help="origin processes sharing the port (SO_REUSEPORT), one render pool each (default 1)",
    )
    parser.add_argument(
        "--platform-port",
        type=port,
        default=None,
        metavar="PORT",
        help="also serve the platform invalidation API (the manage.api host) on this port "
        "(0: any free port); it stays on the origin's port too",
    )
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    settings = origin_settings_from_args(args)
    check_can_listen(settings.host, settings.port)
    clock = Clock.parse(args.clock)
    try:
        check_workers(settings, args.workers, clock)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    platform = None
    if args.platform_port is not None:
        # Bound now, so that the app knows the port its platform listener has (0: any).
        platform = _bind(settings.host, args.platform_port)
        settings = replace(settings, platform_port=platform.getsockname()[1])
    limits = connection_limits_from_args(args)
    return asyncio.run(_serve(settings, clock, args.workers, limits, args.ready_file, platform))


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    try:
        return socket.create_server((host, port), family=family)
    except OSError as exc:
        raise bind_error(exc, host, port) from None


async def _serve(
    settings: OriginSettings,
    clock: Clock,
    workers: int,
    limits: ConnectionLimits,
    ready_file: Path | None,
    platform: socket.socket | None,
) -> int:
    ssl_context = server_context(
        settings.tls_cert, settings.tls_key, ["localhost"] if settings.tls_self_signed else None
    )
    if workers == 1:
        app = create_app(settings, clock=clock)
        served = await serve(
            app,
            settings.host,
            settings.port,
            limits=limits,
            ssl_context=ssl_context,
        )
        platform_url = await _listen_platform(served, platform, ssl_context)
        _announce(settings, served.url, platform_url, describe(app[STORAGE]), ready_file, "")
        try:
            await run_until_signalled()
        finally:
            _unready(ready_file)
            await served.close()
        return 0
    shared = SharedState.create(settings.storage.embedded or settings.storage.variants_start_empty)
    async with open_storage(
        settings.storage, coherence=shared.coherence, written_variants=shared.written_variants
    ) as storage:
        app = create_app(settings, clock=clock, storage=storage)
        served = await serve(
            app, settings.host, settings.port, limits=limits, ssl_context=ssl_context,
            reuse_port=True,
        )  # fmt: skip
        pool = OriginWorkers(
            settings, storage, shared, served.port, clock.spec, workers, limits=limits
        )
        try:
            await pool.start()
            platform_url = await _listen_platform(served, platform, ssl_context)
            more = f", {workers} workers"
            _announce(settings, served.url, platform_url, describe(storage), ready_file, more)
            await run_until_signalled()
        finally:
            _unready(ready_file)
            pool.stop()
            await served.close()
    return 0


async def _listen_platform(
    served: ServedApp, platform: socket.socket | None, ssl_context: ssl.SSLContext | None
) -> str | None:
    """The platform API's own listener, in this process only (workers serve the origin's)."""
    if platform is None:
        return None
    return await served.add_listener(platform, ssl_context)


def _announce(
    settings: OriginSettings,
    url: str,
    platform: str | None,
    storage: dict[str, Any],
    ready_file: Path | None,
    more: str,
) -> None:
    # The ready file first: whoever sees the lines below finds it written.
    if ready_file is not None:
        ready = {"origin": url, "platform": platform or url, "tenant": settings.default_tenant,
                 "environment": settings.environment, "storage": storage}  # fmt: skip
        write_ready_file(ready_file, ready)
    print(f"origin listening on {url} (tenant {settings.default_tenant}{more})", flush=True)
    if platform is not None:
        print(
            f"platform API listening on {platform} "
            f"(DELETE /{settings.environment}-lof/images/{{tenant}}/{{imagePackId}})",
            flush=True,
        )
    print(f"storage  {storage_line(storage)}", flush=True)


def _unready(ready_file: Path | None) -> None:
    if ready_file is not None:
        ready_file.unlink(missing_ok=True)  # no longer listening: readers must not find it
