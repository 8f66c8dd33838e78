"""Rendering off the event loop: a pool of worker processes for real parallelism across cores.

``RenderPool(workers)`` with ``workers >= 1`` runs :func:`render_variant` in that many
processes started through the ``forkserver`` context (the server process has threads, so a
plain fork could copy a held lock), with Pillow preloaded and every worker started at once.
``workers == 0`` renders in one in-process thread instead: for tiny test setups and tools
where starting processes costs more than it gains. ``Rendered.cpu_seconds`` is process CPU
time, so in that mode it also counts whatever the other threads did meanwhile.

A worker that dies (crash, out-of-memory kill) breaks a ``ProcessPoolExecutor`` for good:
the pool then replaces the executor and retries the render once; a render whose retry
dies as well fails with ``RenderFailed``.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import threading
from concurrent.futures import Executor, Future, ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool

from imaging.rendered import Rendered
from origin.imaging.errors import RenderFailed
from origin.imaging.pipeline import render_variant
from origin.imaging.shared_source import SourceBlocks, read_block
from origin.imaging.spec import RenderSpec

log = logging.getLogger(__name__)

_PRELOAD = ["PIL.Image", "PIL.JpegImagePlugin", "PIL.PngImagePlugin", "origin.imaging.pipeline"]


def _render_from_block(name: str, size: int, spec: RenderSpec) -> Rendered:
    """In a worker: the render of the original the origin left in a shared block."""
    return render_variant(read_block(name, size), spec)


def _warm_worker() -> int:
    """Runs once in each new worker: registers Pillow's plugins so the first render is not slow."""
    from PIL import Image

    Image.init()
    return os.getpid()


class RenderPool:
    """Renders variants on ``workers`` processes (or, with 0, on one in-process thread)."""

    def __init__(self, workers: int) -> None:
        if workers < 0:
            raise ValueError(f"workers must be ≥ 0, got {workers}")
        self.workers = workers
        self._lock = threading.Lock()
        self._closed = False
        self._executor = self._new_executor()
        # Originals travel to worker processes in shared memory (origin.imaging.shared_source).
        self._blocks = SourceBlocks() if workers else None

    def _new_executor(self) -> Executor:
        if self.workers == 0:
            return ThreadPoolExecutor(max_workers=1, thread_name_prefix="render")
        context = multiprocessing.get_context("forkserver")
        context.set_forkserver_preload(_PRELOAD)
        executor = ProcessPoolExecutor(
            max_workers=self.workers, mp_context=context, initializer=_warm_worker
        )
        # Workers start on demand; one task per worker, submitted together, starts them all now.
        for _ in range(self.workers):
            executor.submit(os.getpid)
        return executor

    async def render(self, source: bytes, spec: RenderSpec) -> Rendered:
        """Render off the event loop; raises what ``render_variant`` raises, or ``RenderFailed``."""
        # A worker may have died before this render (then it is retried once, on a new pool)
        # or because of it (then the retry dies too, and the caller gets RenderFailed).
        for attempt in (1, 2):
            executor = self._current()
            try:
                return await asyncio.wrap_future(self._submit(executor, source, spec))
            except BrokenProcessPool:
                self._replace(executor)
                log.warning("render worker died (attempt %d)", attempt)
        raise RenderFailed("the render worker died twice; the pool has been restarted")

    def _submit(self, executor: Executor, source: bytes, spec: RenderSpec) -> Future[Rendered]:
        if self._blocks is None:
            return executor.submit(render_variant, source, spec)
        blocks = self._blocks
        block = blocks.fill(source)
        try:
            future = executor.submit(_render_from_block, block.name, len(source), spec)
        except BaseException:
            blocks.release(block)
            raise
        # Given back once the worker is done with it, even when the caller stopped waiting.
        future.add_done_callback(lambda _: blocks.release(block))
        return future

    def worker_pids(self) -> list[int]:
        """Process ids of the live workers (empty in thread mode)."""
        processes = getattr(self._current(), "_processes", None) or {}
        return [pid for pid, proc in processes.items() if proc.is_alive()]

    def wait_ready(self) -> None:
        """Block until every worker has started (benchmarks: keep start-up out of the figures)."""
        executor = self._current()
        for future in [executor.submit(_warm_worker) for _ in range(max(1, self.workers))]:
            future.result()

    def close(self) -> None:
        """Stop the workers; renders still queued are cancelled."""
        with self._lock:
            self._closed = True
            executor = self._executor
        executor.shutdown(wait=True, cancel_futures=True)
        if self._blocks is not None:
            self._blocks.close()

    def _current(self) -> Executor:
        with self._lock:
            if self._closed:
                raise RuntimeError("render pool is closed")
            return self._executor

    def _replace(self, broken: Executor) -> Executor:
        with self._lock:
            if self._closed:
                raise RuntimeError("render pool is closed")
            if self._executor is broken:
                log.warning("render pool broken (a worker died); starting a new one")
                broken.shutdown(wait=False, cancel_futures=True)
                self._executor = self._new_executor()
            return self._executor
