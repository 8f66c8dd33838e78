"""Process plumbing shared by the long-running commands: signals, the connection limits
of every server they start (``--header-timeout``, ``--keepalive-timeout``,
``--max-connections``) and the event log's bound (``--event-log-bytes``)."""

from __future__ import annotations

import argparse
import asyncio
import dataclasses
import json
import os
import signal
import socket
from pathlib import Path
from typing import Any

from cdnsim.usage import UsageError, at_least, positive_float
from common.events import DEFAULT_MAX_BYTES
from common.serving import DEFAULT_LIMITS, ConnectionLimits


async def run_until_signalled() -> None:
    """Return on SIGINT or SIGTERM, so that callers clean up in order."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, stop.set)
    try:
        await stop.wait()
    finally:
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)


def process_info() -> dict[str, Any]:
    """The ready file's ``process``: readers tell a file left by an ended process by it."""
    return {"pid": os.getpid(), "host": socket.gethostname()}


def write_ready_file(path: Path, document: dict[str, Any]) -> None:
    """Write ``document`` (with ``process``) so that readers never see half a file."""
    temporary = path.with_suffix(path.suffix + ".tmp")
    temporary.write_text(json.dumps({**document, "process": process_info()}, indent=2))
    temporary.replace(path)


def add_connection_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("connection limits (every server this command starts)")
    group.add_argument(
        "--header-timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help="close a connection whose request line and headers take longer "
        f"(default {DEFAULT_LIMITS.header_timeout:g})",
    )
    group.add_argument(
        "--keepalive-timeout",
        type=positive_float,
        default=None,
        metavar="SECONDS",
        help=f"close an idle kept-alive connection (default {DEFAULT_LIMITS.keepalive_timeout:g})",
    )
    group.add_argument(
        "--max-connections",
        type=at_least(1),
        default=None,
        metavar="N",
        help="open connections per server; past it idle ones are closed to make room, and "
        f"when all are busy new ones get a 503 (default {DEFAULT_LIMITS.max_connections})",
    )


def connection_limits_from_args(
    args: argparse.Namespace, base: ConnectionLimits = DEFAULT_LIMITS
) -> ConnectionLimits:
    """``base`` with the limits given on the command line."""
    given = {
        name: getattr(args, name)
        for name in ("header_timeout", "keepalive_timeout", "max_connections")
        if getattr(args, name, None) is not None
    }
    try:
        return dataclasses.replace(base, **given)
    except ValueError as exc:
        raise UsageError(str(exc)) from None


def add_event_log_argument(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--event-log-bytes",
        type=at_least(1),
        default=DEFAULT_MAX_BYTES,
        metavar="N",
        help="memory the event log may hold (an estimate); the oldest events leave first "
        f"(default {DEFAULT_MAX_BYTES // (1024 * 1024)} MiB)",
    )
