"""The whole simulator in one process: storage (embedded moto by default), the origin,
the edge (POPs and a shield) with its vendors, the aggregator, sharing one clock and one
event log.

The composition root: every part is built from settings and given what it talks to at
construction. Addresses come first: the origin's sockets (its own and the platform API's)
are bound before anything else, so the edge is built with the origin's URL and the
origin with the edge's control URL (its platform invalidation API and the aggregator
invalidate through it), as separate processes are configured on the command line.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from dataclasses import replace
from pathlib import Path
from typing import Any

import aiohttp

from cdnsim.demo import demo_image, seed_demo
from cdnsim.metrics import AggregatorMetrics, RenderMetrics
from cdnsim.origin_workers import OriginWorkers, SharedState
from cdnsim.runtime import write_ready_file
from cdnsim.sim_control import sim_routes
from cdnsim.sim_openapi import sim_paths
from cdnsim.stack_settings import PLATFORM_OFFSET, StackSettings, edge_settings
from cdnsim.switches import accept_in_key
from common.clock import Clock
from common.errors import Conflict
from common.events import EventLog
from common.ids import IdGenerator
from common.serving import ServedApp, serve
from edge.config import EdgeSettings
from edge.stack import Edge
from edge.vendor import DemoImages, StorageAccess, Vendor, VendorContext
from origin.aggregator.invalidator import EdgeInvalidations, PackInvalidator
from origin.aggregator.service import Aggregator
from origin.aggregator.settings import AggregatorSettings
from origin.app import create_app
from origin.auth import make_token
from origin.settings import OriginSettings
from origin.simulation import RuntimeSwitches
from origin.storage import Storage, open_storage
from origin.storage.description import describe
from vendors.registry import PLUGINS

__all__ = ["PLATFORM_OFFSET", "Stack", "StackSettings"]  # the settings live in stack_settings

log = logging.getLogger(__name__)
HOST = "127.0.0.1"


class Stack:
    def __init__(self, settings: StackSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.events = EventLog(clock, max_bytes=settings.event_log_bytes)
        self.ids = IdGenerator(self._id_seed)
        self.origin_switches = RuntimeSwitches.from_settings(settings.origin)
        self.pipeline = settings.origin.pipeline  # the aggregator's settings, bug switches included
        self.storage: Storage | None = None
        self.edge: Edge | None = None
        self.aggregator: Aggregator | None = None
        self.vendors: list[Vendor] = []
        self.origin_url = ""
        self.platform_url = ""  # the platform management host: the invalidation API
        self.origin_down = False
        self._exit = contextlib.AsyncExitStack()
        self._aggregator_task: asyncio.Task[None] | None = None
        self._origin_served: ServedApp | None = None
        self._shared: SharedState | None = None  # with origin workers: what they share
        self._edge_client: EdgeInvalidations | None = None
        self._edge_start: EdgeSettings | None = None  # what a reset goes back to
        self._demo: DemoImages | None = None
        self.demo_packs: list[str] = []  # the origin's demo packs, while they exist

    @property
    def started(self) -> OriginSettings:
        return self.settings.origin

    @property
    def _id_seed(self) -> int | None:
        return (
            self.settings.seed if self.settings.seed is not None else self.settings.origin.id_seed
        )

    async def start(self) -> None:
        s = self.settings
        if s.origin_workers > 1:
            self._shared = SharedState.create(
                s.origin.storage.embedded or s.origin.storage.variants_start_empty
            )
        self.storage = await self._exit.enter_async_context(
            open_storage(
                s.origin.storage,
                coherence=self._shared.coherence if self._shared else None,
                written_variants=self._shared.written_variants if self._shared else None,
            )
        )
        origin_socket = socket.create_server((HOST, s.port(0)), reuse_port=self._shared is not None)
        platform_socket = socket.create_server((HOST, s.port(PLATFORM_OFFSET)))
        self.origin_url = f"http://{HOST}:{origin_socket.getsockname()[1]}"
        self.vendors = [self._create_vendor(name, options) for name, options in s.vendors.items()]
        self.edge = Edge(
            edge_settings(self.settings, self.origin_url),
            clock=self.clock,
            events=self.events,
            control_routes=sim_routes(self),
            control_paths=sim_paths(),
            vendors=self.vendors,
            metrics=[RenderMetrics(self.events), AggregatorMetrics(lambda: self.aggregator)],
        )
        self._exit.push_async_callback(self.edge.stop)
        await self.edge.start()
        self._edge_start = self.edge.settings
        self._edge_client = EdgeInvalidations(
            self.edge.control_url, self.edge.settings.distribution_id
        )
        await self._start_origin(origin_socket, platform_socket)
        # The aggregator reads what others wrote before it started; then the demo is seeded,
        # and the aggregator runs from after the seeding (its own writes are no change).
        await self._open_aggregator()
        if s.demo:
            await self.seed_demo()
        await self._run_aggregator(after_seeding=s.demo)

    def _create_vendor(self, name: str, options: Any) -> Vendor:
        assert self.storage is not None
        plugin = PLUGINS[name]
        storage = self.storage.settings
        context = VendorContext(
            self.clock,
            self.events,
            self.origin_url,
            HOST,
            self.settings.port_base,
            self.settings.seed,
            StorageAccess(
                self.storage.s3.meta.endpoint_url,
                storage.region,
                storage.access_key_id or "testing",
                storage.secret_access_key or "testing",
            ),
            self.settings.connections,
        )
        return plugin.create(plugin.options() if options is None else options, context)

    async def _start_origin(self, sock: socket.socket, platform: socket.socket) -> None:
        settings = replace(
            self.settings.origin,
            host=HOST,
            port=sock.getsockname()[1],
            platform_port=platform.getsockname()[1],
            pipeline=self._wired(self.settings.origin.pipeline),
        )
        app = create_app(
            settings,
            clock=self.clock,
            events=self.events,
            storage=self.storage,
            ids=self.ids,
            switches=self.origin_switches,
        )
        served = await serve(app, HOST, sock=sock, limits=self.settings.connections)
        self._origin_served = served
        self._exit.push_async_callback(served.close)
        # One app on two listeners: the platform's answers its own API only (origin.hosts).
        self.platform_url = await served.add_listener(platform)
        if self._shared is not None and self.storage is not None:
            workers = OriginWorkers(
                settings,
                self.storage,
                self._shared,
                settings.port,
                self.clock.spec,
                self.settings.origin_workers,
                limits=self.settings.connections,
            )
            await workers.start()
            self._exit.callback(workers.stop)

    def set_pipeline(self, pipeline: AggregatorSettings) -> None:
        """New aggregator settings (bug switches) from the next tick on, until a reset."""
        self.pipeline = pipeline
        if self.aggregator is not None:
            self.aggregator.settings = self._wired(pipeline)

    async def set_accept_in_key(self, in_key: bool) -> None:
        """``Accept`` in the Vimond image policy's key, or not, from the next request on."""
        assert self.edge is not None
        await self.edge.reconfigure(accept_in_key(self.edge.settings, in_key))

    def _wired(self, pipeline: AggregatorSettings) -> AggregatorSettings:
        """``pipeline`` invalidating this stack's edge."""
        assert self.edge is not None
        return replace(
            pipeline,
            edge_control_url=self.edge.control_url,
            distribution_id=self.edge.settings.distribution_id,
        )

    async def stop_origin_listening(self) -> None:
        """The origin goes down: no new connections, and open ones are closed (the platform
        host is another service: it stays up)."""
        if self._shared is not None:
            raise Conflict(
                "the origin has worker processes of its own: it cannot be taken down",
                code="origin_workers",
            )
        if self._origin_served is None or self.origin_down:
            return
        self.origin_down = True
        await self._origin_served.stop_listening()

    async def resume_origin_listening(self) -> None:
        if self._origin_served is None or not self.origin_down:
            return
        await self._origin_served.listen_again()
        self.origin_down = False

    async def _open_aggregator(self) -> None:
        """The aggregator with its saved state and the streams read so far, not yet ticking."""
        assert self.storage is not None and self._edge_client is not None
        pipeline = self._wired(self.pipeline)
        invalidator = PackInvalidator(self.storage, self.events, pipeline, self._edge_client)
        self.aggregator = Aggregator(self.storage, self.clock, self.events, pipeline, invalidator)
        await self.aggregator.start()

    async def _run_aggregator(self, *, after_seeding: bool) -> None:
        """Ticking from now on; ``after_seeding``: from after the stack's own seed writes."""
        assert self.aggregator is not None
        if after_seeding:
            await self.aggregator.skip_unread("seeding")
        self._aggregator_task = asyncio.create_task(self.aggregator.run(), name="aggregator")
        self._exit.push_async_callback(self._stop_aggregator)

    async def _stop_aggregator(self) -> None:
        if self._aggregator_task:
            self._aggregator_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._aggregator_task
            self._aggregator_task = None

    async def seed_demo(self) -> dict[str, Any]:
        """The demo's configs, region, packs and originals on the origin; then each vendor's
        demo over them."""
        seeded = await self._seed_origin_demo()
        assert self._demo is not None
        for vendor in self.vendors:
            await vendor.seed_demo(self._demo)
        return seeded

    async def _seed_origin_demo(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            headers = {"Authorization": f"Bearer {self.admin_token}"}
            demo = await seed_demo(session, self.origin_url, headers)
        sample = f"/api/v2/img/{demo.pack_ids[0]}" if demo.pack_ids else ""
        self._demo = DemoImages(sample, demo_image((40, 110, 180), "vendor demo"))
        self.demo_packs = list(demo.pack_ids)
        return {"tenant": demo.tenant, "packs": demo.pack_ids}

    async def reset(self, *, origin_demo: bool = False) -> dict[str, Any]:
        """A clean slate (embedded storage only): storage, edge caches and invalidations, the
        aggregator, bug switches, faults and id seeds, and every vendor as at start-up (with
        ``--demo``, their demo again, under the ids the ready file gives). ``origin_demo``:
        the origin's demo packs again too (under the same ids when the stack has a seed);
        no tick invalidates that seeding."""
        assert self.storage is not None and self.edge is not None
        embedded = self.storage.embedded
        if embedded is None:
            raise Conflict(
                "reset wipes storage and needs the embedded store", code="reset_unavailable"
            )
        await asyncio.to_thread(embedded.reset)
        self.storage.forget_memo()
        await self.storage.run(self.storage.create_resources)
        if self.storage.mirror:
            await self.storage.run(self.storage.mirror.clear)
        await self._stop_aggregator()
        purged = await self.edge.reset(self.settings.seed)
        # Switches, faults and ids as at start-up.
        await self.resume_origin_listening()
        self.origin_switches.restore(self.settings.origin)
        assert self._edge_start is not None
        await self.edge.reconfigure(self._edge_start)
        self.pipeline = self.settings.origin.pipeline
        self.ids.reseed(self._id_seed)
        await self._open_aggregator()
        self.demo_packs = []
        if origin_demo and self._demo is not None:
            await self._seed_origin_demo()
        for vendor in self.vendors:
            await vendor.reset()
            if self._demo is not None:
                await vendor.seed_demo(self._demo)
        await self._run_aggregator(after_seeding=self._demo is not None)
        self.events.append("stack", "reset", purged=purged)
        return {"purged": purged, "events": self.events.last_seq}

    @property
    def admin_token(self) -> str:
        secret = self.settings.origin.auth.jwt_secret
        return make_token(secret, "*") if secret else ""

    def ready(self) -> dict[str, Any]:
        assert self.edge is not None and self.storage is not None
        vendors = {vendor.name: vendor.ready() for vendor in self.vendors}
        return {
            "origin": self.origin_url,
            "platform": self.platform_url,
            "pops": [{"id": pop_id, "url": url} for pop_id, url in self.edge.pop_urls.items()],
            "shield": self.edge.shield_url,
            "control": self.edge.control_url,
            "distribution_id": self.edge.settings.distribution_id,
            "tenant": self.settings.origin.default_tenant,
            "environment": self.settings.origin.environment,
            "admin_token": self.admin_token,
            "clock": self.clock.spec,
            "storage": describe(self.storage),
            **{name: entry for name, entry in vendors.items() if entry},
        }

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Every part answers over HTTP (what --ready-file promises)."""
        info = self.ready()
        urls = [f"{info['origin']}/api/ping", f"{info['control']}/_sim/clock"]
        urls += [f"{pop['url']}/api/ping" for pop in info["pops"]]
        # The platform host has nothing to GET: its 404 (JSON, from the origin app) will do.
        answers = [(url, 200) for url in urls] + [(f"{info['platform']}/", 404)]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            for url, expected in answers:
                async with session.get(url) as response:
                    if response.status != expected:
                        raise RuntimeError(f"{url} answered {response.status}")

    def write_ready_file(self, path: Path, **extra: Any) -> None:
        write_ready_file(path, self.ready() | extra)

    async def stop(self) -> None:
        await self._exit.aclose()
