"""One injectable clock for every timer in cdnsim.

Modes:
- ``real``: wall-clock time.
- ``scaled``: simulated time runs ``factor`` times faster than wall time from a shared
  anchor, so separate processes (and machines) agree without talking to each other
  as long as they are given the same anchor.
- ``manual``: time moves only when :meth:`Clock.advance` is called; sleepers wake in
  deadline order, which makes scenarios and tests deterministic.
"""

from __future__ import annotations

import asyncio
import heapq
import itertools
import logging
import re
import threading
import time
from dataclasses import dataclass, field
from typing import Literal

log = logging.getLogger(__name__)

ClockMode = Literal["real", "scaled", "manual"]

# 2026-01-01T00:00:00Z: the start of simulated time for a manual clock, so that dates in
# responses are the same on every run.
MANUAL_EPOCH = 1767225600.0

_SPEC = re.compile(
    r"^(real|manual(?:@(?P<start>[0-9.]+))?|scaled:(?P<factor>[0-9.]+)(?:@(?P<anchor>[0-9.]+))?)$"
)


@dataclass(order=True)
class _Sleeper:
    deadline: float
    seq: int
    future: asyncio.Future[None] = field(compare=False)
    loop: asyncio.AbstractEventLoop = field(compare=False)
    task: asyncio.Task[object] | None = field(compare=False, default=None)


class Clock:
    """Simulated time in epoch seconds; see the module docstring for the modes."""

    def __init__(
        self,
        mode: ClockMode = "real",
        *,
        factor: float = 1.0,
        anchor: float | None = None,
        start: float | None = None,
    ) -> None:
        if mode not in ("real", "scaled", "manual"):
            raise ValueError(f"unknown clock mode {mode!r}")
        if mode == "scaled" and not factor > 0:
            raise ValueError("a scaled clock needs a factor > 0")
        self.mode: ClockMode = mode
        self.factor = factor if mode == "scaled" else 1.0
        # In scaled mode simulated time equals wall time at the anchor and then runs
        # `factor` times faster.
        self.anchor = anchor if anchor is not None else time.time()
        self._now = start if start is not None else MANUAL_EPOCH
        self._lock = threading.Lock()
        self._sleepers: list[_Sleeper] = []
        self._seq = itertools.count()
        # Tasks woken by advance() → what to signal once they sleep again or end.
        self._settling: dict[
            asyncio.Task[object], tuple[asyncio.AbstractEventLoop, asyncio.Event]
        ] = {}
        # How long (wall seconds) advance() waits for one woken task to settle.
        self.settle_timeout = 60.0

    @classmethod
    def manual(cls, start: float = MANUAL_EPOCH) -> Clock:
        return cls("manual", start=start)

    @classmethod
    def parse(cls, spec: str) -> Clock:
        """Build a clock from ``real``, ``manual[@START]`` or ``scaled:N[@ANCHOR]``."""
        match = _SPEC.match(spec.strip())
        if not match:
            raise ValueError(
                f"clock must be real, manual[@START] or scaled:N[@ANCHOR], not {spec!r}"
            )
        if spec.startswith("scaled"):
            anchor = match.group("anchor")
            return cls(
                "scaled",
                factor=float(match.group("factor")),
                anchor=float(anchor) if anchor else None,
            )
        if spec.startswith("manual"):
            start = match.group("start")
            return cls.manual(float(start) if start else MANUAL_EPOCH)
        return cls("real")

    @property
    def spec(self) -> str:
        """The string that builds an equivalent clock in another process."""
        if self.mode == "scaled":
            return f"scaled:{self.factor:g}@{self.anchor:.6f}"
        if self.mode == "manual":
            return f"manual@{self.now():.6f}"
        return "real"

    def now(self) -> float:
        if self.mode == "manual":
            return self._now
        wall = time.time()
        if self.mode == "scaled":
            return self.anchor + (wall - self.anchor) * self.factor
        return wall

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds`` of simulated time."""
        if seconds <= 0:
            await asyncio.sleep(0)
            return
        if self.mode != "manual":
            await asyncio.sleep(seconds / self.factor)
            return
        loop = asyncio.get_running_loop()
        future: asyncio.Future[None] = loop.create_future()
        task = asyncio.current_task()
        with self._lock:
            heapq.heappush(
                self._sleepers, _Sleeper(self._now + seconds, next(self._seq), future, loop, task)
            )
            settling = self._settling.pop(task, None) if task else None
        if settling:
            settling[0].call_soon_threadsafe(settling[1].set)
        try:
            await future
        finally:
            if not future.done():
                future.cancel()

    async def sleep_until(self, deadline: float) -> None:
        await self.sleep(deadline - self.now())

    def pending_deadlines(self) -> list[float]:
        with self._lock:
            return sorted(s.deadline for s in self._sleepers if not s.future.done())

    async def advance(self, seconds: float) -> float:
        """Move a manual clock forward, waking each sleeper at its own deadline in order.

        Each woken task runs until it sleeps on this clock again or ends (bounded by
        ``settle_timeout`` wall seconds) before the next deadline is taken, so timers that
        fire during the advance see the time they were due and finish their work in order,
        including I/O they do on other threads.
        """
        if self.mode != "manual":
            raise RuntimeError("only a manual clock can be advanced")
        if seconds < 0:
            raise ValueError("time does not go backwards")
        # Tasks created just before the advance (e.g. a timer started by the caller) must
        # register their sleeps first, or they would measure from the advanced time.
        await _let_tasks_run()
        target = self._now + seconds
        while True:
            with self._lock:
                due = (
                    self._sleepers[0]
                    if self._sleepers and self._sleepers[0].deadline <= target
                    else None
                )
                if due is not None:
                    heapq.heappop(self._sleepers)
                    self._now = max(self._now, due.deadline)
            if due is None:
                break
            if not due.future.done():
                await self._wake_and_settle(due)
        with self._lock:
            self._now = target
        await _let_tasks_run()
        return self._now

    async def _wake_and_settle(self, due: _Sleeper) -> None:
        settled = asyncio.Event()
        here = asyncio.get_running_loop()
        task = due.task

        def on_done(_: object) -> None:
            here.call_soon_threadsafe(settled.set)

        if task is not None and not task.done():
            with self._lock:
                self._settling[task] = (here, settled)
            task.add_done_callback(on_done)
        else:
            settled.set()
        due.loop.call_soon_threadsafe(_resolve, due.future)
        try:
            await asyncio.wait_for(settled.wait(), self.settle_timeout)
        except TimeoutError:
            log.warning(
                "a task woken at %.3f did not settle within %.0fs",
                due.deadline,
                self.settle_timeout,
            )
        finally:
            if task is not None:
                # A long-lived timer task is woken again and again: leave no callbacks behind.
                task.remove_done_callback(on_done)
                with self._lock:
                    self._settling.pop(task, None)
        await _let_tasks_run()


def _resolve(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)


async def _let_tasks_run(rounds: int = 20) -> None:
    # Each round lets every ready callback run once; woken tasks typically need a few
    # hops (future → task step → their own awaits) before they sleep again.
    for _ in range(rounds):
        await asyncio.sleep(0)
