"""``cdnsim origin``: the Vimond Image Service origin on its own."""

from __future__ import annotations

import argparse
import asyncio
import logging

from cdnsim.aggregator_config import add_aggregator_arguments
from cdnsim.origin_config import add_origin_arguments, origin_settings_from_args
from cdnsim.runtime import (
    add_connection_arguments,
    connection_limits_from_args,
    run_until_signalled,
)
from cdnsim.tls import server_context
from common.clock import Clock
from common.serving import ConnectionLimits, serve
from origin.app import create_app
from origin.settings import OriginSettings

log = logging.getLogger(__name__)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    add_origin_arguments(parser)
    add_aggregator_arguments(parser)
    parser.add_argument("--clock", default="real", help="real, scaled:N[@ANCHOR] or manual")
    add_connection_arguments(parser)


def run(args: argparse.Namespace) -> int:
    settings = origin_settings_from_args(args)
    clock = Clock.parse(args.clock)
    return asyncio.run(_serve(settings, clock, connection_limits_from_args(args)))


async def _serve(settings: OriginSettings, clock: Clock, limits: ConnectionLimits) -> int:
    ssl_context = server_context(
        settings.tls_cert, settings.tls_key, ["localhost"] if settings.tls_self_signed else None
    )
    served = await serve(
        create_app(settings, clock=clock),
        settings.host,
        settings.port,
        limits=limits,
        ssl_context=ssl_context,
    )
    print(f"origin listening on {served.url} (tenant {settings.default_tenant})", flush=True)
    try:
        await run_until_signalled()
    finally:
        await served.close()
    return 0
