"""Several worker processes for one POP.

The first worker runs in the edge's own process; the others are separate processes
that bind the same port with SO_REUSEPORT (the kernel spreads connections among them)
and open the same diskcache directory, which diskcache allows. Each worker builds the
vendors' properties from their replicas (see :mod:`edge.vendor`) and rebuilds one
vendor's when it publishes a change, confirming before the publish returns. What is per process:
coalescing (concurrent misses in different workers each go upstream once), the event
log (only the in-process worker's events reach the control API), the memory layer
over the disk (a purge is applied to the disk once, then sent to every worker over a
pipe, and counts as done when each has answered), and counters, which each extra
worker writes to ``counters-N.json`` in the directory about once a second for the
control API to add up.
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import signal
import time
from collections.abc import Mapping, Sequence
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess
from typing import Any

from common.clock import Clock
from common.events import EventLog
from common.serving import serve
from edge.config import EdgeSettings, PopSettings
from edge.counters import Counters, clear_snapshots, read_snapshots, write_snapshot
from edge.pop import Pop
from edge.pop_app import create_pop_app
from edge.properties import Property
from edge.store.opening import open_store
from edge.vendor import Replica

log = logging.getLogger(__name__)

SNAPSHOT_INTERVAL = 1.0  # wall seconds


def install_uvloop() -> bool:
    """Use uvloop's event loop when it is installed (a faster hit path)."""
    try:
        import uvloop  # type: ignore[import-not-found]
    except ImportError:
        return False
    uvloop.install()
    return True


class WorkerPool:
    """The extra worker processes of one POP (workers − 1 of them)."""

    def __init__(
        self,
        settings: EdgeSettings,
        pop: PopSettings,
        port: int,
        upstream: str | None,
        clock_spec: str,
        replicas: Mapping[str, Replica] | None = None,
    ) -> None:
        if pop.cache_dir is None:
            raise ValueError(f"POP {pop.id}: worker processes need a cache_dir to share")
        self._args = (settings, pop, port, upstream, clock_spec, dict(replicas or {}))
        self._processes: list[BaseProcess] = []
        self._pipes: list[Connection] = []
        self._telling = asyncio.Lock()
        self.cache_dir = pop.cache_dir

    async def start(self, ready_timeout: float = 60.0) -> None:
        """Start the workers and wait (wall time) until each one listens."""
        clear_snapshots(self.cache_dir)
        context = multiprocessing.get_context("spawn")
        for worker in range(1, self._args[1].workers):
            ready = context.Event()
            ours, theirs = context.Pipe()
            args = (*self._args, worker, ready, theirs)
            process = context.Process(target=worker_main, args=args, daemon=True)
            process.start()
            self._processes.append(process)
            self._pipes.append(ours)
            if not await asyncio.to_thread(wait_ready, process, ready, ready_timeout):
                self.stop()
                raise RuntimeError(f"worker {worker} of POP {self._args[1].id} did not start")

    async def forget(self, patterns: Sequence[str]) -> None:
        """Have every worker drop its remembered copies covered by ``patterns``."""
        await self._tell_all(("forget", list(patterns)))

    async def replace_replica(self, vendor: str, replica: Replica) -> None:
        """Have every worker rebuild ``vendor``'s properties from ``replica``."""
        await self._tell_all(("replica", vendor, replica))

    async def _tell_all(self, message: tuple[Any, ...], timeout: float = 30.0) -> None:
        async with self._telling:  # one message at a time: each answer is to our message
            await self._exchange(message, timeout)

    async def _exchange(self, message: tuple[Any, ...], timeout: float) -> None:
        for pipe in self._pipes:
            pipe.send(message)
        for pipe in self._pipes:
            if not await asyncio.to_thread(pipe.poll, timeout):
                raise RuntimeError(f"a worker did not confirm {message[0]!r} in time")
            pipe.recv()

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]

    def stop(self) -> None:
        for process in self._processes:
            process.terminate()
        for process in self._processes:
            process.join(timeout=10)
        self._processes.clear()
        for pipe in self._pipes:
            pipe.close()
        self._pipes.clear()


class PooledPopView:
    """A POP with worker processes, as the control API and invalidations see it:
    counters summed, purges reaching every worker."""

    def __init__(self, pop: Pop, pool: WorkerPool) -> None:
        self.pop_id = pop.pop_id
        self._pop = pop
        self._pool = pool

    async def stats(self) -> dict[str, Any]:
        total = Counters(**self._pop.counters.as_dict())
        total.add(read_snapshots(self._pool.cache_dir).as_dict())
        return {
            **total.as_dict(),
            "volume": await self._pop.store.volume(),
            "workers": len(self._pool.pids) + 1,
        }

    async def listing(self, limit: int = 1000) -> list[dict[str, Any]]:
        return await self._pop.listing(limit)

    async def purge(self, patterns: Sequence[str]) -> int:
        removed = await self._pop.purge(patterns)
        await self._pool.forget(patterns)
        return removed


def wait_ready(process: BaseProcess, ready: Any, timeout: float) -> bool:
    """Block until a started worker process sets ``ready``; False if it died or timed out."""
    deadline = time.monotonic() + timeout
    while not ready.wait(0.1):
        if not process.is_alive() or time.monotonic() > deadline:
            return False
    return True


def worker_main(
    settings: EdgeSettings,
    pop: PopSettings,
    port: int,
    upstream: str | None,
    clock_spec: str,
    replicas: dict[str, Replica],
    worker: int,
    ready: Any,
    pipe: Connection,
) -> None:
    """Entry point of one extra worker process; sets ``ready`` once it listens."""
    install_uvloop()
    args = (settings, pop, port, upstream, clock_spec, replicas, worker, ready, pipe)
    asyncio.run(_serve(*args))


async def _serve(
    settings: EdgeSettings,
    pop_settings: PopSettings,
    port: int,
    upstream: str | None,
    clock_spec: str,
    replicas: dict[str, Replica],
    worker: int,
    ready: Any,
    pipe: Connection,
) -> None:
    clock = Clock.parse(clock_spec)
    # Per-process log, bounded small: nobody reads it (see the module docstring).
    events = EventLog(clock, max_bytes=4 * 1024 * 1024)
    store = open_store(pop_settings, clock)
    pop = Pop(pop_settings.id, settings, store, clock, events, upstream=upstream, worker=worker)
    vendors = _VendorProperties(pop, clock, replicas)
    served = await serve(
        create_pop_app(pop), pop_settings.host, port, limits=settings.connections, reuse_port=True
    )
    ready.set()
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    listener = _Listener(pop, vendors, pipe, stop)
    loop.add_reader(pipe.fileno(), listener.on_message)
    assert pop_settings.cache_dir is not None
    while not stop.is_set():
        write_snapshot(pop_settings.cache_dir, worker, pop.counters)
        try:
            await asyncio.wait_for(stop.wait(), SNAPSHOT_INTERVAL)
        except TimeoutError:
            pass
    write_snapshot(pop_settings.cache_dir, worker, pop.counters)
    await served.close()


class _VendorProperties:
    """A worker's vendor properties, built from replicas, one vendor's rebuilt at a time
    (the POP applies them in the vendors' order, as the edge's own process does)."""

    def __init__(self, pop: Pop, clock: Clock, replicas: dict[str, Replica]) -> None:
        self._pop, self._clock = pop, clock
        self._by_vendor: dict[str, list[Property]] = {}
        for vendor, replica in replicas.items():
            self.replace(vendor, replica)

    def replace(self, vendor: str, replica: Replica) -> None:
        self._by_vendor[vendor] = list(replica.build(replica.state, self._clock))
        self._pop.properties = [p for ps in self._by_vendor.values() for p in ps]


class _Listener:
    """A worker's end of the pipe: forget what purge patterns cover, or rebuild a vendor's
    properties, then answer."""

    def __init__(
        self, pop: Pop, vendors: _VendorProperties, pipe: Connection, stop: asyncio.Event
    ) -> None:
        self._pop, self._vendors, self._pipe, self._stop = pop, vendors, pipe, stop
        self._tasks: set[asyncio.Task[None]] = set()

    def on_message(self) -> None:
        try:
            message = self._pipe.recv()
        except EOFError:  # the edge process is gone
            self._stop.set()
            return
        match message:
            case ("forget", patterns):
                task = asyncio.ensure_future(self._forget(patterns))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)
            case ("replica", vendor, replica):
                self._vendors.replace(vendor, replica)
                self._pipe.send(True)
            case _:
                log.error("unknown message from the edge process: %r", message[:1])

    async def _forget(self, patterns: list[str]) -> None:
        self._pipe.send(await self._pop.forget(patterns))
