"""moto's server in a child process, on 127.0.0.1 with a free port.

A process of its own, not a thread: moto spends 2–3 ms of Python on every S3 or DynamoDB
call, and in a thread that time held the origin's GIL, so the event loop and moto took
turns on one core. ``cdnsim bench cold`` measured the difference (see the README).

The child (:mod:`origin.storage.moto_process`) prints its URL, then waits for its standard input to close: the parent closes it
in :meth:`EmbeddedMoto.stop`, and the kernel closes it when the parent dies in any way, so
the child never outlives the program that started it.
"""

from __future__ import annotations

import subprocess
import sys

import requests

MODULE = "origin.storage.moto_process"  # what the child runs (benchmarks find it by this name)


class EmbeddedMoto:
    def __init__(self) -> None:
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        process = subprocess.Popen(
            [sys.executable, "-m", MODULE],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the embedded moto server did not start (it said {line!r})")
        self.url = line
        return self.url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        assert process.stdin is not None
        process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
