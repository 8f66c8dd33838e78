"""A server in a child process on 127.0.0.1: the child prints its URL on its first line,
then serves until its standard input closes. The parent closes it in :meth:`stop`, and
the kernel closes it when the parent dies in any way, so the child never outlives the
program that started it (the embedded moto, the imgix vendor's storage emulators)."""

from __future__ import annotations

import subprocess
from collections.abc import Sequence


class ChildServer:
    def __init__(self, argv: Sequence[str], what: str) -> None:
        self.argv, self.what = list(argv), what
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        """Start the child and wait for its URL; RuntimeError naming what it said instead."""
        process = subprocess.Popen(
            self.argv, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://127.0.0.1:"):
            self.stop()
            raise RuntimeError(f"the {self.what} did not start (it said {line!r})")
        self.url = line
        return self.url

    @property
    def pid(self) -> int | None:
        return self._process.pid if self._process is not None else None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

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
