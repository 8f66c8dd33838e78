"""A POP that runs as several worker processes, and every feature still one POP's.

Like nginx's master and workers: N worker processes (:mod:`edge.worker_process`) bind
the POP's port with SO_REUSEPORT, so the kernel spreads viewers' connections over them,
and open one shared disk cache directory; the edge process keeps the POP's port reserved,
serves no viewer, and holds a link to each worker (:mod:`edge.worker_link`) through which:

- every miss is filled by the edge process's own POP engine, which coalesces the misses
  of all workers (:mod:`edge.coalescing`) and counts the upstream requests;
- workers send their events, in batches, to the one event log; reading the log first
  asks every worker to flush, so a response a client has seen has its event in the log;
- counters are asked of each worker when read, and added up: exact, not sampled;
- a purge, an invalidation and a vendor's published change reach every worker, each
  having applied it before the caller goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import multiprocessing
import os
import shutil
import socket
import tempfile
from collections import Counter
from collections.abc import Mapping, Sequence
from multiprocessing.process import BaseProcess
from typing import Any

from common.events import EventLog
from common.serving import bind_error
from edge.config import EdgeSettings, PopSettings
from edge.counters import Counters
from edge.pop import Pop
from edge.vendor import Replica
from edge.worker_link import Link, LinkClosed
from edge.worker_process import worker_main

log = logging.getLogger(__name__)


def reserve_port(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` with SO_REUSEPORT and never listening: it holds the
    port (0: a free one) for the workers, and the kernel gives it no connection."""
    sock = socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    try:
        sock.bind((host, port))
    except OSError as exc:
        sock.close()
        raise bind_error(exc, host, port) from None
    return sock


class WorkerPool:
    """The worker processes of one POP; ``leader`` is the edge process's engine for it."""

    def __init__(
        self,
        settings: EdgeSettings,
        pop: PopSettings,
        port: int,
        upstream: str | None,
        clock_spec: str,
        replicas: Mapping[str, Replica],
        leader: Pop,
        events: EventLog,
    ) -> None:
        if pop.cache_dir is None:
            raise ValueError(f"POP {pop.id}: worker processes need a cache_dir to share")
        self._args = (settings, pop, port, upstream, clock_spec, dict(replicas))
        self.cache_dir = pop.cache_dir
        self.leader, self.events = leader, events
        self._processes: list[BaseProcess] = []
        self._links: dict[int, Link] = {}
        self._worker_of: dict[Link, int] = {}
        self._all_linked = asyncio.Event()
        self._tasks: set[asyncio.Task[None]] = set()
        self._server: asyncio.AbstractServer | None = None
        self._directory = ""

    async def start(self, ready_timeout: float = 60.0) -> None:
        """Start the workers and wait (wall time) until each listens and is linked."""
        self._directory = tempfile.mkdtemp(prefix="cdnsim-pop-")  # ours alone (mode 0700)
        hub = os.path.join(self._directory, "hub.sock")
        self._server = await asyncio.start_unix_server(self._connected, hub, limit=1 << 20)
        context = multiprocessing.get_context("spawn")
        for worker in range(1, self._args[1].workers + 1):
            process = context.Process(
                target=worker_main, args=(*self._args, worker, hub), daemon=True
            )
            process.start()
            self._processes.append(process)
        try:
            await asyncio.wait_for(self._linked_while_alive(), ready_timeout)
        except TimeoutError:
            await self.stop()
            raise RuntimeError(f"the workers of POP {self._args[1].id} did not start") from None

    async def _linked_while_alive(self) -> None:
        while not self._all_linked.is_set():
            dead = [p for p in self._processes if not p.is_alive()]
            if dead:
                raise RuntimeError(f"a worker of POP {self._args[1].id} exited: {dead[0].exitcode}")
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._all_linked.wait(), 0.1)

    async def _connected(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        link = Link(reader, writer, lambda name, args: self._handle(link, name, args))
        await link.serve()
        worker = self._worker_of.pop(link, None)
        if worker is not None and self._links.get(worker) is link:
            del self._links[worker]

    async def _handle(self, link: Link, name: str, args: tuple[Any, ...]) -> Any:
        match name, args:
            case "hello", (int(worker),):
                self._links[worker] = link
                self._worker_of[link] = worker
                if len(self._links) == len(self._processes):
                    self._all_linked.set()
                return None
            case "events", (batch,):
                record = self.events.record
                for time, component, kind, data in batch:  # each names its worker
                    record(time, component, kind, data)
                return None
            case "fill", (ctx, entry, shared):
                if not shared:
                    return await self.leader.fill.alone(ctx, entry), False
                if self.leader.fill.inflight(ctx.flight):
                    self.leader.event("coalescing", uri=ctx.key.uri)
                return await self.leader.fill.shared(ctx, entry)
            case "forget_uri", (uri,):
                return sum(await self._ask_all("forget_uri", uri))
            case _:
                raise ValueError(f"the edge process does not know {name!r}")

    async def _ask_all(self, name: str, *args: Any) -> list[Any]:
        links = list(self._links.values())
        results = await asyncio.gather(*(link.call(name, *args) for link in links))
        return list(results)

    async def forget(self, patterns: Sequence[str]) -> int:
        """Every worker drops its remembered copies covered by ``patterns``."""
        return sum(await self._ask_all("forget", list(patterns)))

    async def replace_replica(self, vendor: str, replica: Replica) -> None:
        """Every worker rebuilds ``vendor``'s properties from ``replica``."""
        await self._ask_all("replica", vendor, replica)

    async def reconfigure(self, settings: EdgeSettings) -> None:
        """Every worker takes ``settings`` (keys, TTLs, behaviours) from its next request."""
        await self._ask_all("settings", settings)

    async def flush_events(self) -> None:
        """Every worker's buffered events are in the log when this returns."""
        with contextlib.suppress(LinkClosed):
            await self._ask_all("flush")

    async def counters(self) -> tuple[Counters, dict[str, int]]:
        """The POP's counters (every worker's, and the edge process's fills) and its
        workers' connection counters, added up."""
        total = Counters(**self.leader.counters.as_dict())
        connections: Counter[str] = Counter()
        for counted, open_connections in await self._ask_all("stats"):
            total.add(counted)
            connections.update(open_connections)
        return total, dict(connections)

    @property
    def pids(self) -> list[int]:
        return [p.pid for p in self._processes if p.pid is not None]

    async def stop(self) -> None:
        for process in self._processes:
            if process.is_alive():
                process.terminate()
        await asyncio.gather(*(asyncio.to_thread(p.join, 10) for p in self._processes))
        self._processes.clear()
        for link in list(self._links.values()):
            await link.close()
        self._links.clear()
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()
            self._server = None
        if self._directory:
            shutil.rmtree(self._directory, ignore_errors=True)
            self._directory = ""


class PooledPopView:
    """A POP with worker processes, as the control API and invalidations see it."""

    def __init__(self, pool: WorkerPool) -> None:
        self.pop_id = pool.leader.pop_id
        self._pool = pool

    async def stats(self) -> dict[str, Any]:
        total, connections = await self._pool.counters()
        volume = await self._pool.leader.store.volume()
        workers = len(self._pool.pids)
        return {**total.as_dict(), "volume": volume, "workers": workers, "connections": connections}

    async def listing(self, limit: int = 1000) -> list[dict[str, Any]]:
        return await self._pool.leader.listing(limit)

    async def purge(self, patterns: Sequence[str]) -> int:
        """Removed from the shared disk once, and from every worker's memory."""
        removed = await self._pool.leader.purge(patterns)
        await self._pool.forget(patterns)
        return removed
