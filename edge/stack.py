"""The whole edge: the shield, the POPs (with their worker processes) and the control app
on loopback, sharing one Clock and one EventLog, and the vendors beside it (see
:mod:`edge.vendor` for the phases they go through)."""

from __future__ import annotations

import logging
import shutil
import socket
import tempfile
from collections.abc import Awaitable, Callable, Mapping, Sequence
from dataclasses import replace
from typing import Any, Self

from aiohttp import web

from common.clock import Clock
from common.connection_protocols import FastLane
from common.events import EventLog
from common.openapi import document_route
from common.serving import ServedApp, serve
from edge.config import EdgeSettings, PopSettings
from edge.control import create_control_app
from edge.control_openapi import DOCUMENT_PATH as CONTROL_DOCUMENT
from edge.control_openapi import build_control_document
from edge.fast_lane import fast_lane
from edge.invalidation import DelayModel, InvalidationService, PurgeTarget, add_routes
from edge.metrics import METRICS, InvalidationMetrics, MetricsSource
from edge.pop import Pop
from edge.pop_app import create_pop_server
from edge.pop_view import PopEntry
from edge.properties import with_routes
from edge.store import Store
from edge.store.opening import open_store
from edge.vendor import Vendor
from edge.worker_pool import PooledPopView, WorkerPool, reserve_port

log = logging.getLogger(__name__)

StoreFactory = Callable[[PopSettings, Clock], Store]


class Edge:
    """``await edge.start()``; then ``pop_urls``, ``shield_url``, ``control_url``; ``await edge.stop()``."""

    def __init__(
        self,
        settings: EdgeSettings,
        *,
        clock: Clock | None = None,
        events: EventLog | None = None,
        store_factory: StoreFactory = open_store,
        host: str = "127.0.0.1",
        control_routes: Sequence[web.RouteDef] = (),
        control_paths: Mapping[str, Any] | None = None,
        vendors: Sequence[Vendor] = (),
        metrics: Sequence[MetricsSource] = (),
    ) -> None:
        """``control_routes``: more routes for the control app (the stack adds /_sim/…),
        described in its OpenAPI document by ``control_paths`` (path items); ``metrics``:
        more sources for the control app's ``/metrics`` (the stack adds the origin's);
        ``vendors``: started, attached and stopped with the edge, their properties applied
        by every POP (and every worker process of one) before its cache."""
        self.vendors = list(vendors)
        self.settings = settings
        self._control_routes = list(control_routes)
        self._control_paths = dict(control_paths or {})
        self._metrics = list(metrics)
        self.clock = clock or Clock()
        self.events = events or EventLog(self.clock)
        self._store_factory = store_factory
        self._host = host
        self.served: dict[str, ServedApp] = {}  # by POP id, "control"
        self.pops: dict[str, Pop] = {}
        self.shield: Pop | None = None
        self.pop_urls: dict[str, str] = {}
        self.shield_url: str | None = None
        self.control_url = ""
        self.invalidations: InvalidationService | None = None
        self.pools: dict[str, WorkerPool] = {}
        self.purge_targets: dict[str, PurgeTarget] = {}  # what invalidations call, per POP id
        self._reserved: list[socket.socket] = []  # the ports of POPs with worker processes
        self._cache_root: str | None = None  # made for POPs with workers and no cache_dir

    async def start(self) -> None:
        for vendor in self.vendors:  # their services first: the routes name their URLs
            routes = await vendor.start()
            self.settings = with_routes(
                self.settings, routes.behaviors, routes.policies, routes.origins
            )
        settings = self.settings
        if settings.shield is not None:
            self.shield = await self._start_pop(settings.shield, upstream=None)
            self.shield_url = await self._serve(
                self.shield.pop_id,
                create_pop_server(self.shield),
                settings.shield.port,
                fast_lane(self.shield),
            )
        for pop_settings in settings.pops:
            if pop_settings.workers > 1:
                await self._start_pooled_pop(pop_settings)
                continue
            pop = await self._start_pop(pop_settings, upstream=self.shield_url)
            self.pops[pop.pop_id] = pop
            server, lane = create_pop_server(pop), fast_lane(pop)
            self.pop_urls[pop.pop_id] = await self._serve(
                pop.pop_id, server, pop_settings.port, lane
            )
        await self._start_control()
        for vendor in self.vendors:
            await vendor.attach(_VendorHandle(self, vendor))
        log.info(
            "edge up: POPs %s, shield %s, control %s",
            self.pop_urls,
            self.shield_url,
            self.control_url,
        )

    async def _start_control(self) -> None:
        """The control app, with the invalidation service purging every POP and the shield."""
        settings = self.settings
        targets: list[PurgeTarget] = [self._view(p) for p in self.pops.values()]
        targets += [self.shield] if self.shield else []
        self.purge_targets = {t.pop_id: t for t in targets}
        self.invalidations = InvalidationService(
            self.clock,
            self.events,
            targets,
            DelayModel.from_config(settings.invalidation_delays, profile=settings.profile),
            distribution_id=settings.distribution_id,
            seed=settings.seed,
            tier_above=self.shield.pop_id if self.shield else None,
        )
        entries = {
            p.pop_id: PopEntry(
                self._view(p),
                "pop",
                self.pop_urls[p.pop_id],
                self.served[p.pop_id].stats if p.pop_id in self.served else None,
            )
            for p in self.pops.values()
        }
        if self.shield is not None and self.shield_url is not None:
            shield_id = self.shield.pop_id
            entries[shield_id] = PopEntry(
                self.shield, "shield", self.shield_url, self.served[shield_id].stats
            )
        control = create_control_app(entries, self.events, before_reading=self.flush_events)
        add_routes(control, self.invalidations)
        control.add_routes(self._control_routes)
        control[METRICS] += [InvalidationMetrics(self.invalidations), *self._metrics]
        document = build_control_document(self._control_paths)
        control.add_routes([document_route(CONTROL_DOCUMENT, document)])
        self.control_url = await self._serve("control", control, settings.control_port)

    async def _start_pop(self, pop_settings: PopSettings, *, upstream: str | None) -> Pop:
        # Viewers meet the POPs, so vendor rules apply there; the shield receives requests
        # the POPs already rewrote (unless there is no shield: then it is not this one).
        is_shield = upstream is None and self.settings.shield is not None
        pop = Pop(
            pop_settings.id,
            self.settings,
            self._store_factory(pop_settings, self.clock),
            self.clock,
            self.events,
            upstream=upstream,
            properties=() if is_shield else [p for v in self.vendors for p in v.properties()],
        )
        await pop.start()
        return pop

    async def _start_pooled_pop(self, pop_settings: PopSettings) -> None:
        """A POP served by worker processes: this process keeps its port (reserved, not
        listening) and an engine that fills the workers' misses (see edge.worker_pool)."""
        if self.clock.mode == "manual":
            raise ValueError(
                "worker processes cannot share a manual clock: use a real or scaled clock"
            )
        if pop_settings.cache_dir is None:
            if self._cache_root is None:
                self._cache_root = tempfile.mkdtemp(prefix="cdnsim-edge-")
            pop_settings = replace(pop_settings, cache_dir=f"{self._cache_root}/{pop_settings.id}")
        reserved = reserve_port(self._host, pop_settings.port)
        self._reserved.append(reserved)
        port = reserved.getsockname()[1]
        leader = await self._start_pop(pop_settings, upstream=self.shield_url)
        self.pops[leader.pop_id] = leader
        self.pop_urls[leader.pop_id] = f"http://{self._host}:{port}"
        replicas = {vendor.name: vendor.replica() for vendor in self.vendors}
        pool = WorkerPool(
            self.settings,
            pop_settings,
            port,
            self.shield_url,
            self.clock.spec,
            replicas,
            leader,
            self.events,
        )
        self.pools[pop_settings.id] = pool
        await pool.start()

    async def flush_events(self) -> None:
        """Every worker process's events are in the log when this returns."""
        for pool in self.pools.values():
            await pool.flush_events()

    def _view(self, pop: Pop) -> PooledPopView | Pop:
        pool = self.pools.get(pop.pop_id)
        return PooledPopView(pool) if pool is not None else pop

    async def _serve(
        self,
        name: str,
        app: web.Application | Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
        port: int,
        lane: FastLane | None = None,
    ) -> str:
        limits = self.settings.connections
        served = await serve(app, self._host, port, limits=limits, fast_lane=lane)
        self.served[name] = served
        return served.url

    async def reconfigure(self, settings: EdgeSettings) -> None:
        """New keys, TTLs and behaviours for every POP (every worker process too) and the
        shield, effective from the next request (what is cached stays); POP and origin
        addresses must not change."""
        self.settings = settings
        for pop in [*self.pops.values(), *([self.shield] if self.shield else [])]:
            pop.reconfigure(settings)
        for pool in self.pools.values():
            await pool.reconfigure(settings)

    async def reset(self, seed: int | None) -> int:
        """Every cache emptied (every worker's memory too) and every invalidation forgotten,
        ids drawn from ``seed`` again; how many entries were purged."""
        if self.invalidations is not None:
            await self.invalidations.reset(seed)
        purged = 0
        for target in self.purge_targets.values():
            purged += await target.purge(["/*"])
        return purged

    async def stop(self) -> None:
        if self.invalidations is not None:
            await self.invalidations.aclose()
        for pool in self.pools.values():
            await pool.stop()
        self.pools.clear()
        for reserved in self._reserved:
            reserved.close()
        self._reserved.clear()
        for served in reversed(self.served.values()):
            await served.close()
        self.served.clear()
        for pop in [*self.pops.values(), *([self.shield] if self.shield else [])]:
            await pop.close()
        for vendor in reversed(self.vendors):
            await vendor.stop()
        if self._cache_root is not None:
            shutil.rmtree(self._cache_root, ignore_errors=True)
            self._cache_root = None

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()


class _VendorHandle:
    """The :class:`~edge.vendor.EdgeHandle` one vendor gets: no more of the edge than that."""

    def __init__(self, edge: Edge, vendor: Vendor) -> None:
        self._edge, self._vendor = edge, vendor

    @property
    def pop_urls(self) -> Mapping[str, str]:
        return dict(self._edge.pop_urls)

    @property
    def shield_id(self) -> str | None:
        return self._edge.shield.pop_id if self._edge.shield else None

    def purge(self, paths: Sequence[str], reference: str) -> str:
        invalidations = self._edge.invalidations
        assert invalidations is not None, "vendors are attached once invalidations exist"
        return invalidations.create(paths, reference, limited=False).id

    async def publish(self) -> None:
        replica = self._vendor.replica()
        for pool in self._edge.pools.values():
            await pool.replace_replica(self._vendor.name, replica)
