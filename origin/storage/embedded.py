"""moto's server in a child process, on 127.0.0.1 with a free port.

A process of its own, not a thread: moto spends 2–3 ms of Python on every S3 or DynamoDB
call, and in a thread that time held the origin's GIL, so the event loop and moto took
turns on one core. ``cdnsim bench cold`` measured the difference (see the README).

The child (:mod:`origin.storage.moto_process`) prints its URL, then waits for its standard
input to close (:class:`common.child_server.ChildServer`).
"""

from __future__ import annotations

import sys

import requests

from common.child_server import ChildServer

MODULE = "origin.storage.moto_process"  # what the child runs (benchmarks find it by this name)


class EmbeddedMoto(ChildServer):
    def __init__(self) -> None:
        super().__init__([sys.executable, "-m", MODULE], "embedded moto server")

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()
