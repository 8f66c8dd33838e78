"""Request coalescing: concurrent misses for one key make one upstream request.

The first request starts the work as its own task; later ones wait for it, but only
for a bounded (wall-clock) time, after which they do the work themselves. Coalescing
is per process: POP workers that share a directory each coalesce their own requests.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Generic, TypeVar

T = TypeVar("T")


class Coalescer(Generic[T]):
    def __init__(self) -> None:
        self._inflight: dict[str, asyncio.Task[T]] = {}

    def inflight(self, key: str) -> bool:
        return key in self._inflight

    async def run(
        self, key: str, work: Callable[[], Awaitable[T]], *, wait: float
    ) -> tuple[T, bool]:
        """The result of ``work`` for ``key`` and whether it was another request's (collapsed).

        Exceptions of the shared work reach every waiter.
        """
        task = self._inflight.get(key)
        if task is not None:
            try:
                return await asyncio.wait_for(asyncio.shield(task), wait), True
            except TimeoutError:
                return await work(), False
        task = asyncio.ensure_future(work())
        self._inflight[key] = task
        task.add_done_callback(lambda _: self._forget(key, task))
        # Shielded: a client that goes away must not cancel the fetch others wait on.
        return await asyncio.shield(task), False

    def _forget(self, key: str, task: asyncio.Task[T]) -> None:
        if self._inflight.get(key) is task:
            del self._inflight[key]
        if not task.cancelled():
            task.exception()  # retrieved: waiters that timed out must not leave it unobserved
