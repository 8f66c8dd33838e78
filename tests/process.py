"""Running cdnsim commands as real processes in tests."""

from __future__ import annotations

import os
import re
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence

URL = re.compile(r"(https?://127\.0\.0\.1:\d+)")


class CdnsimProcess:
    """``cdnsim ARGS…`` in its own process group; ``url`` is the first loopback URL it prints."""

    def __init__(self, args: Sequence[str], *, env: dict[str, str] | None = None, ready_timeout: float = 60) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cdnsim.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.output: list[str] = []
        self.url = self._wait_for_url(ready_timeout)

    def _wait_for_url(self, timeout: float) -> str:
        assert self.proc.stdout is not None
        selector = selectors.DefaultSelector()
        selector.register(self.proc.stdout, selectors.EVENT_READ)
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if not selector.select(timeout=deadline - time.monotonic()):
                break
            line = self.proc.stdout.readline()
            if not line:
                break
            self.output.append(line)
            match = URL.search(line)
            if match:
                return match.group(1)
        self.kill()
        raise RuntimeError("process did not announce its URL:\n" + "".join(self.output))

    def kill(self, sig: int = signal.SIGKILL) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        return self.proc.wait(timeout=30)
