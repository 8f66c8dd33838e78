"""Single-flight: concurrent requests for one key share one piece of work.

Concurrent requests for one uncached variant must render it once per origin. The
first request starts the work as its own task; the others await that task. The task
is shielded, so a client that goes away does not cancel the work the others wait
for; it leaves the registry only once it has finished, so a request arriving after
that sees whatever the work stored.
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

    async def run(self, key: str, work: Callable[[], Awaitable[T]]) -> tuple[T, bool]:
        """The result of ``work`` for ``key``, and whether it came from another request's flight."""
        task = self._flights.get(key)
        joined = task is not None
        if task is None:
            task = asyncio.ensure_future(work())
            self._flights[key] = task
            task.add_done_callback(lambda done: self._finished(key, done))
        return await asyncio.shield(task), joined

    def _finished(self, key: str, task: asyncio.Task[T]) -> None:
        if self._flights.get(key) is task:
            del self._flights[key]
        # Every waiter may have gone away: mark the outcome as seen so that asyncio does
        # not log it as lost (the waiters that remain get it from the task itself).
        if not task.cancelled():
            task.exception()
