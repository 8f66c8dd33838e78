"""Single-flight: concurrent requests for one key share one piece of work.

The first request starts the work as its own task; the others await that task. The task
is shielded, so a client that goes away does not cancel the work the others wait for; it
leaves the registry only once it has finished, so a request arriving after that sees
whatever the work stored. A joiner may bound its wait (wall-clock seconds), after which it
does the work itself. Per event loop: the edge coalesces misses with it, the origin renders.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class SingleFlight(Generic[T]):
    """One in-flight task per key, on the event loop that runs the app."""

    def __init__(self) -> None:
        self._flights: dict[str, asyncio.Task[T]] = {}

    def __len__(self) -> int:
        return len(self._flights)

    def inflight(self, key: str) -> bool:
        return key in self._flights

    async def run(
        self, key: str, work: Callable[[], Awaitable[T]], *, wait: float | None = None
    ) -> tuple[T, bool]:
        """The result of ``work`` for ``key``, and whether it came from another request's
        flight. With ``wait``, a joiner gives up after that many seconds and does the work
        itself (not joined). Exceptions of the shared work reach every waiter."""
        task = self._flights.get(key)
        if task is not None:
            if wait is None:
                return await asyncio.shield(task), True
            try:
                return await asyncio.wait_for(asyncio.shield(task), wait), True
            except TimeoutError:
                return await work(), False
        task = asyncio.ensure_future(work())
        self._flights[key] = task
        task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task), False

    def _finished(self, key: str, task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Every waiter may have gone away: mark the outcome as seen so that asyncio does
        # not log it as lost (the waiters that remain get it from the task itself).
        if not task.cancelled():
            task.exception()
