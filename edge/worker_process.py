"""One worker process of a POP (see :mod:`edge.worker_pool`): it binds the POP's port with
SO_REUSEPORT, opens the shared disk cache, builds the vendors' properties from their
replicas, and serves viewers. Its misses are filled by the edge process over its link,
its events go there in batches, and the edge process asks it for its counters, to flush
its events, to forget what a purge covers, or to rebuild a vendor's properties."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import signal
from typing import Any

from common.clock import Clock
from common.serving import ServedApp, serve
from edge.coalescing import LeaderFill
from edge.config import EdgeSettings, PopSettings
from edge.event_loop import install_uvloop
from edge.fast_lane import fast_lane
from edge.pop import Pop
from edge.pop_app import create_pop_server
from edge.properties import Property
from edge.store.opening import open_store
from edge.vendor import Replica
from edge.worker_link import Link, connect

log = logging.getLogger(__name__)

FLUSH_INTERVAL = 0.02  # wall seconds between sends of buffered events


class EventBuffer:
    """A worker's events, held until they are sent to the edge process's log (with the
    time each happened), in one batch every ``FLUSH_INTERVAL`` or when asked to flush."""

    def __init__(self, clock: Clock, worker: int) -> None:
        self._clock, self._worker = clock, worker
        self._batch: list[tuple[float, str, str, dict[str, Any]]] = []
        self.link: Link | None = None

    def append(self, component: str, kind: str, **data: Any) -> None:
        data["worker"] = self._worker  # a dict of its own: the call's keyword arguments
        self._batch.append((self._clock.now(), component, kind, data))

    async def flush(self) -> None:
        if self._batch and self.link is not None:
            batch, self._batch = self._batch, []
            await self.link.tell("events", batch)

    async def keep_flushing(self) -> None:
        while True:
            await asyncio.sleep(FLUSH_INTERVAL)
            await self.flush()


class VendorProperties:
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


def worker_main(
    settings: EdgeSettings,
    pop: PopSettings,
    port: int,
    upstream: str | None,
    clock_spec: str,
    replicas: dict[str, Replica],
    worker: int,
    hub: str,
) -> None:
    """Entry point of one worker process; it ends when the edge process does."""
    install_uvloop()
    asyncio.run(_run(settings, pop, port, upstream, clock_spec, replicas, worker, hub))


async def _run(
    settings: EdgeSettings,
    pop_settings: PopSettings,
    port: int,
    upstream: str | None,
    clock_spec: str,
    replicas: dict[str, Replica],
    worker: int,
    hub: str,
) -> None:
    clock = Clock.parse(clock_spec)
    events = EventBuffer(clock, worker)
    store = open_store(pop_settings, clock)
    pop = Pop(pop_settings.id, settings, store, clock, events, upstream=upstream, worker=worker)
    vendors = VendorProperties(pop, clock, replicas)
    handler = _Handler(pop, vendors, events)
    link = await connect(hub, handler)
    events.link = link
    pop.fill = LeaderFill(link, settings.timeouts.coalesce_wait)
    pop.on_invalidated = lambda uri: link.call("forget_uri", uri)
    reading = asyncio.create_task(link.serve())
    flushing = asyncio.create_task(events.keep_flushing())
    await pop.start()
    server = create_pop_server(pop)
    served = await serve(
        server,
        pop_settings.host,
        port,
        limits=settings.connections,
        reuse_port=True,
        fast_lane=fast_lane(pop),
    )
    handler.served = served
    await link.call("hello", worker)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    stopping = asyncio.create_task(stop.wait())
    # Until told to stop, or until the edge process is gone (its end of the link closes).
    await asyncio.wait({reading, stopping}, return_when=asyncio.FIRST_COMPLETED)
    await served.close()
    await pop.close()
    flushing.cancel()
    with contextlib.suppress(Exception):
        await events.flush()
    await link.close()
    for task in (reading, stopping, flushing):
        task.cancel()
    await asyncio.gather(reading, stopping, flushing, return_exceptions=True)


class _Handler:
    """What the edge process asks of a worker."""

    def __init__(self, pop: Pop, vendors: VendorProperties, events: EventBuffer) -> None:
        self._pop, self._vendors, self._events = pop, vendors, events
        self.served: ServedApp | None = None

    async def __call__(self, name: str, args: tuple[Any, ...]) -> Any:
        match name, args:
            case "stats", ():
                connections = self.served.stats() if self.served is not None else {}
                return self._pop.counters.as_dict(), connections
            case "flush", ():
                await self._events.flush()
                return None
            case "forget", (patterns,):
                return await self._pop.forget(patterns)
            case "forget_uri", (uri,):
                return await self._pop.forget_matching(lambda stored: stored == uri)
            case "settings", (settings,):
                self._pop.reconfigure(settings)
                return None
            case "replica", (vendor, replica):
                self._vendors.replace(vendor, replica)
                return None
            case _:
                raise ValueError(f"a worker does not know {name!r}")
