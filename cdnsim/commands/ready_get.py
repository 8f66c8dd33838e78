"""``cdnsim ready-get KEY``: one value of a stack's ready file, for shell sessions.

``KEY`` is a dotted path (``origin``, ``pops.0.url``, ``akamai.api``); strings print as
they are, anything else as JSON. It waits (``--wait``) for the file, which ``cdnsim up
--ready-file`` writes once every part of the stack answers, so a session can start the
stack in the background and read it at once.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import socket
import sys
import time
from pathlib import Path
from typing import Any

from cdnsim.usage import UsageError, non_negative_float
from scenarios.target import TargetError, read_ready

DEFAULT_FILE = Path("stack.json")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("key", metavar="KEY", help="dotted path: origin, pops.0.url, akamai.api")
    parser.add_argument(
        "--ready-file",
        type=Path,
        default=DEFAULT_FILE,
        help=f"the stack's ready file (default {DEFAULT_FILE})",
    )
    parser.add_argument(
        "--wait",
        type=non_negative_float,
        default=60.0,
        help="seconds to wait for the file to appear (default 60)",
    )


SAY_AFTER = 2.0  # wall seconds of waiting before a terminal is told what for


def run(args: argparse.Namespace) -> int:
    document = read_ready_file(args.ready_file, wait=args.wait)
    value = lookup(document, args.key, source=str(args.ready_file))
    print(value if isinstance(value, str) else json.dumps(value))
    return 0


def read_ready_file(path: Path, *, wait: float) -> dict[str, Any]:
    """The ready file of a running stack: one left by a stack that has ended on this
    machine is waited past, as if it were not there (its replacement is on its way)."""
    started = time.monotonic()
    deadline = started + wait
    # Someone at a terminal hears why nothing happens after a while (scripts stay quiet).
    say_at = started + SAY_AFTER if sys.stderr.isatty() else math.inf
    while (document := _current(path)) is None:
        now = time.monotonic()
        if now >= say_at:
            print(f"waiting up to {wait:g} s for {path} (--wait)…", file=sys.stderr, flush=True)
            say_at = math.inf
        if now >= deadline:
            raise UsageError(
                f"{path} did not appear within {wait:g} s: is `cdnsim up --ready-file {path}` "
                "running?"
            )
        time.sleep(0.1)  # a CLI waiting for another process's file, not a test
    return document


def _current(path: Path) -> dict[str, Any] | None:
    if not path.exists():
        return None
    try:
        document = read_ready(path)
    except TargetError as exc:
        raise UsageError(str(exc)) from None
    return None if _ended(document.get("process")) else document


def _ended(process: Any) -> bool:
    """The stack that wrote the file ran on this machine and is gone."""
    if not isinstance(process, dict) or process.get("host") != socket.gethostname():
        return False
    try:
        os.kill(int(process["pid"]), 0)
    except ProcessLookupError:
        return True
    except (PermissionError, KeyError, TypeError, ValueError):
        return False
    return False


def lookup(document: dict[str, Any], key: str, *, source: str) -> Any:
    """The value at dotted ``key``; a missing step is a :class:`UsageError` naming what is there."""
    value: Any = document
    walked: list[str] = []
    for step in key.split("."):
        if isinstance(value, dict) and step in value:
            value = value[step]
        elif isinstance(value, list) and step.isdigit() and int(step) < len(value):
            value = value[int(step)]
        else:
            where = ".".join(walked) or "the top level"
            raise UsageError(f"{source} has no {key!r}: {where} has {_choices(value)}")
        walked.append(step)
    return value


def _choices(value: Any) -> str:
    if isinstance(value, dict):
        return ", ".join(value) or "nothing"
    if isinstance(value, list):
        return f"entries 0 to {len(value) - 1}" if value else "no entries"
    return f"the value {json.dumps(value)}"
