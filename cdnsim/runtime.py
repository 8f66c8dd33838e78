"""Process plumbing shared by the long-running commands."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import socket
from pathlib import Path
from typing import Any


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
