"""Running cdnsim commands as real processes in tests."""

from __future__ import annotations

import os
import queue
import re
import signal
import subprocess
import sys
import threading
from collections.abc import Sequence

URL = re.compile(r"(https?://127\.0\.0\.1:\d+)")


class CdnsimProcess:
    """``cdnsim ARGS…`` in its own process group; ``url`` is the first loopback URL it prints
    (or the first match of ``announce``). Its output is collected by a thread, so a full
    pipe never blocks the process."""

    def __init__(
        self,
        args: Sequence[str],
        *,
        env: dict[str, str] | None = None,
        ready_timeout: float = 60,
        announce: re.Pattern[str] = URL,
    ) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "cdnsim.cli", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            env={**os.environ, **(env or {})},
            start_new_session=True,
        )
        self.output: list[str] = []
        self._lines: queue.Queue[str | None] = queue.Queue()
        self._collector = threading.Thread(target=self._collect, daemon=True)
        self._collector.start()
        self._announce = announce
        self.url = self._wait_for_url(ready_timeout)

    def _collect(self) -> None:
        assert self.proc.stdout is not None
        for line in self.proc.stdout:
            self.output.append(line)
            self._lines.put(line)
        self._lines.put(None)

    def _wait_for_url(self, timeout: float) -> str:
        try:
            while (line := self._lines.get(timeout=timeout)) is not None:
                if match := self._announce.search(line):
                    return match.group(match.re.groups and 1)
        except queue.Empty:
            pass
        self.kill()
        raise RuntimeError("process did not announce its URL:\n" + "".join(self.output))

    def kill(self, sig: int = signal.SIGKILL) -> int:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, sig)
        code = self.proc.wait(timeout=30)
        self._collector.join(timeout=10)  # every line it printed is in self.output
        return code

    def text(self) -> str:
        """Everything it printed (call after it ended)."""
        return "".join(self.output)
