"""The origin's render pool, started on the first render rather than with the app.

Starting worker processes costs a few hundred milliseconds; an origin that only serves
variants from the S3 cache, or only answers admin requests (most test apps), never
needs them. ``wait_ready()`` starts them at once for whoever wants start-up out of the
figures (benchmarks, ``cdnsim up``).
"""

from __future__ import annotations

import asyncio
import threading

from imaging.rendered import Rendered
from origin.imaging.pool import RenderPool
from origin.imaging.spec import RenderSpec


class OnDemandRenderPool:
    """A :class:`RenderPool` of ``workers`` processes (0: one in-process thread), started when first used."""

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError(f"workers must be ≥ 0, got {workers}")
        self.workers = workers
        self._pool: RenderPool | None = None
        self._closed = False
        self._lock = threading.Lock()

    def started(self) -> RenderPool:
        """The running pool, started now if it was not (blocks while workers start)."""
        with self._lock:
            if self._closed:
                raise RuntimeError("render pool is closed")
            if self._pool is None:
                self._pool = RenderPool(self.workers)
            return self._pool

    async def render(self, source: bytes, spec: RenderSpec) -> Rendered:
        # Starting processes blocks: never on the event loop.
        pool = self._pool if self._pool is not None else await asyncio.to_thread(self.started)
        return await pool.render(source, spec)

    def wait_ready(self) -> None:
        self.started().wait_ready()

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (none before the first render, none in thread mode)."""
        pool = self._pool
        return pool.worker_pids() if pool is not None else []

    def close(self) -> None:
        with self._lock:
            self._closed = True
            pool, self._pool = self._pool, None
        if pool is not None:
            pool.close()
