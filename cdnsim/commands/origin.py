"""``cdnsim origin``: the Vimond Image Service origin on its own."""

from __future__ import annotations

import argparse
import asyncio
import logging
from pathlib import Path

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.runtime import run_until_signalled, write_ready_file
from cdnsim.tls import server_context
from cdnsim.usage import check_can_listen, clock_spec, new_file
from common.clock import Clock
from common.serving import serve_app
from origin.app import create_app

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


def run(args: argparse.Namespace) -> int:
    settings = origin_settings_from_args(args)
    check_can_listen(settings.host, settings.port)
    clock = Clock.parse(args.clock)
    return asyncio.run(_serve(settings, clock, args.ready_file))


async def _serve(settings, clock: Clock, ready_file: Path | None) -> int:  # type: ignore[no-untyped-def]
    ssl_context = server_context(
        settings.tls_cert, settings.tls_key, ["localhost"] if settings.tls_self_signed else None
    )
    runner, url = await serve_app(
        create_app(settings, clock=clock), settings.host, settings.port, ssl_context=ssl_context
    )
    print(f"origin listening on {url} (tenant {settings.default_tenant})", flush=True)
    if ready_file is not None:
        ready = {"origin": url, "platform": url, "tenant": settings.default_tenant,
                 "environment": settings.environment}  # fmt: skip
        write_ready_file(ready_file, ready)
    try:
        await run_until_signalled()
    finally:
        if ready_file is not None:
            ready_file.unlink(missing_ok=True)
        await runner.cleanup()
    return 0
