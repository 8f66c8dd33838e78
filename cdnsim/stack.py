"""The whole simulator in one process: storage (embedded moto by default), the origin,
the edge (POPs and a shield), the aggregator, sharing one clock and one event log."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import aiohttp
from aiohttp import web

from cdnsim.akamai_demo import akamai_ready, demo_image_manager
from cdnsim.demo import seed_demo
from cdnsim.imgix_config import ImgixOptions
from cdnsim.imgix_demo import imgix_service, seed_imgix_demo
from cdnsim.sim_control import sim_routes
from cdnsim.switches import accept_in_key
from common.clock import Clock
from common.errors import Conflict
from common.events import DEFAULT_MAX_BYTES, EventLog
from common.ids import IdGenerator
from common.serving import ConnectionLimits, ServedApp, serve
from edge.config import EdgeSettings, PopSettings, ShieldSettings, vimond_behaviors
from edge.properties import Property
from edge.stack import Edge
from origin import app_keys
from origin.aggregator.invalidator import EdgeInvalidations, PackInvalidator
from origin.aggregator.service import Aggregator
from origin.aggregator.settings import AggregatorSettings
from origin.app import create_app
from origin.auth import make_token
from origin.settings import OriginSettings
from origin.simulation import RuntimeSwitches
from origin.storage import Storage, open_storage
from vendors.akamai import ImageManager
from vendors.imgix.service import ImgixService

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class StackSettings:
    origin: OriginSettings
    pops: int = 3
    shield: bool = True
    profile: str = "cloudfront"
    port_base: int = 0  # 0: free ports; N: origin N, control N+1, shield N+2, POPs N+10…
    edge_cache_dir: Path | None = None  # None: in-memory POP caches
    invalidation_delays: dict[str, Any] | None = None  # None: the profile's default
    demo: bool = False
    seed: int | None = None
    imgix: ImgixOptions = field(default_factory=ImgixOptions)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)  # every server's
    event_log_bytes: int = DEFAULT_MAX_BYTES  # the memory the shared event log may hold

    def port(self, offset: int) -> int:
        return self.port_base + offset if self.port_base else 0


class Stack:
    def __init__(self, settings: StackSettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.events = EventLog(clock, max_bytes=settings.event_log_bytes)
        self.ids = IdGenerator(
            settings.seed if settings.seed is not None else settings.origin.id_seed
        )
        self.storage: Storage | None = None
        self.edge: Edge | None = None
        self.aggregator: Aggregator | None = None
        self.origin_url = ""
        self._exit = contextlib.AsyncExitStack()
        self._aggregator_task: asyncio.Task[None] | None = None
        self._origin_app: web.Application | None = None
        self._origin_served: ServedApp | None = None
        self.origin_down = False
        self.pipeline = settings.origin.pipeline  # the aggregator's settings, bug switches included
        self.imaging: ImageManager | None = None  # --demo: the Akamai Image Manager property
        self.akamai_sample_path = ""
        self.imgix: ImgixService | None = None
        self.imgix_ready: dict[str, Any] | None = None  # the ready file's "imgix" (with --demo)

    async def start(self) -> None:
        self.storage = await self._exit.enter_async_context(
            open_storage(self.settings.origin.storage)
        )
        await self._start_origin()
        self.imgix = imgix_service(
            self.storage,
            self.clock,
            self.events,
            self.settings.seed,
            self.settings.imgix,
            limits=self.settings.connections,
        )
        await self.imgix.start_renderer()
        self._exit.push_async_callback(self.imgix.stop)
        edge_settings = self.imgix.edge_settings(self._edge_settings())
        properties: list[Property] = [self.imgix.property]
        if self.settings.demo:
            self.imaging = demo_image_manager(
                self.origin_url,
                self.clock,
                self.events,
                self.settings.port_base,
                limits=self.settings.connections,
            )
            await self.imaging.start()
            self._exit.push_async_callback(self.imaging.stop)
            edge_settings = self.imaging.edge_settings(edge_settings)
            properties = [*self.imaging.properties(), *properties]
        self._edge_start = edge_settings  # what a reset goes back to
        self.edge = Edge(
            edge_settings,
            clock=self.clock,
            events=self.events,
            control_routes=sim_routes(self),
            properties=properties,
        )
        await self.edge.start()
        self._exit.push_async_callback(self.edge.stop)
        await self.imgix.start_api(self.edge)
        assert self._origin_app is not None
        edge_client = EdgeInvalidations(self.edge.control_url, self.edge.settings.distribution_id)
        self._origin_app[app_keys.INVALIDATOR].edge = edge_client
        await self._start_aggregator(edge_client)
        if self.settings.demo:
            await self.seed_demo()
            self.imgix_ready = await seed_imgix_demo(
                self.imgix, self.storage, next(iter(self.edge.pop_urls.values()))
            )

    async def _start_origin(self) -> None:
        settings = replace(self.settings.origin, host="127.0.0.1", port=self.settings.port(0))
        app = create_app(
            settings, clock=self.clock, events=self.events, storage=self.storage, ids=self.ids
        )
        self._origin_app = app
        served = await serve(app, "127.0.0.1", settings.port, limits=self.settings.connections)
        self._origin_served, self.origin_url = served, served.url
        self._exit.push_async_callback(served.close)

    @property
    def origin_switches(self) -> RuntimeSwitches:
        assert self._origin_app is not None
        return self._origin_app[app_keys.SWITCHES]

    def set_pipeline(self, pipeline: AggregatorSettings) -> None:
        """New aggregator settings (bug switches) from the next tick on, until a reset."""
        self.pipeline = pipeline
        if self.aggregator is not None:
            self.aggregator.settings = self._wired(pipeline)

    def _wired(self, pipeline: AggregatorSettings) -> AggregatorSettings:
        """``pipeline`` invalidating this stack's edge."""
        assert self.edge is not None
        return replace(
            pipeline,
            edge_control_url=self.edge.control_url,
            distribution_id=self.edge.settings.distribution_id,
        )

    async def stop_origin_listening(self) -> None:
        """The origin goes down: no new connections, and open ones are closed."""
        if self._origin_served is None or self.origin_down:
            return
        self.origin_down = True
        await self._origin_served.stop_listening()

    async def resume_origin_listening(self) -> None:
        if self._origin_served is None or not self.origin_down:
            return
        await self._origin_served.listen_again()
        self.origin_down = False

    def _edge_settings(self) -> EdgeSettings:
        s = self.settings
        pops = tuple(
            PopSettings(
                f"pop-{i + 1}",
                port=s.port(10 + i),
                cache_dir=str(s.edge_cache_dir / f"pop-{i + 1}") if s.edge_cache_dir else None,
            )
            for i in range(s.pops)
        )
        shield = (
            ShieldSettings(
                port=s.port(2),
                cache_dir=str(s.edge_cache_dir / "shield") if s.edge_cache_dir else None,
            )
            if s.shield
            else None
        )
        edge = vimond_behaviors(
            self.origin_url,
            connections=s.connections,
            profile=s.profile,
            pops=pops,
            shield=shield,
            control_port=s.port(1),
            invalidation_delays=s.invalidation_delays,
            seed=s.seed,
        )
        return accept_in_key(edge, s.origin.negotiate_format and s.origin.vary_on_negotiation)

    async def _start_aggregator(self, edge_client: EdgeInvalidations) -> None:
        assert self.storage is not None and self.edge is not None
        pipeline = self._wired(self.pipeline)
        invalidator = PackInvalidator(self.storage, self.events, pipeline, edge_client)
        self.aggregator = Aggregator(self.storage, self.clock, self.events, pipeline, invalidator)
        await self.aggregator.start()
        self._aggregator_task = asyncio.create_task(self.aggregator.run(), name="aggregator")
        self._exit.push_async_callback(self._stop_aggregator)

    async def _stop_aggregator(self) -> None:
        if self._aggregator_task:
            self._aggregator_task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._aggregator_task

    async def seed_demo(self) -> dict[str, Any]:
        async with aiohttp.ClientSession() as session:
            demo = await seed_demo(
                session, self.origin_url, {"Authorization": f"Bearer {self.admin_token}"}
            )
        self.akamai_sample_path = f"/api/v2/img/{demo.pack_ids[0]}" if demo.pack_ids else ""
        return {"tenant": demo.tenant, "packs": demo.pack_ids}

    async def reset(self) -> dict[str, Any]:
        """A clean slate (embedded storage only): storage, edge caches and invalidations, the
        aggregator, bug switches, faults and id seeds, the Akamai policies and the imgix
        account (with ``--demo``, its demo source again) as at start-up."""
        assert self.storage is not None and self.edge is not None
        embedded = getattr(self.storage, "embedded", None)
        if embedded is None:
            raise Conflict(
                "reset wipes storage and needs the embedded store", code="reset_unavailable"
            )
        await asyncio.to_thread(embedded.reset)
        await self.storage.run(self.storage.create_resources)
        if self.storage.mirror:
            await self.storage.run(self.storage.mirror.clear)
        await self._stop_aggregator()
        if self.edge.invalidations is not None:
            await self.edge.invalidations.reset(self.settings.seed)
        purged = 0
        for pop in [*self.edge.pops.values(), *([self.edge.shield] if self.edge.shield else [])]:
            purged += await pop.purge(["/*"])
        # Switches, faults and ids as at start-up.
        await self.resume_origin_listening()
        self.origin_switches.restore(self.settings.origin)
        self.edge.reconfigure(self._edge_start)
        self.pipeline = self.settings.origin.pipeline
        self.ids.reseed(
            self.settings.seed if self.settings.seed is not None else self.settings.origin.id_seed
        )
        await self._start_aggregator(self._origin_app[app_keys.INVALIDATOR].edge)  # type: ignore[index, arg-type]
        if self.imaging:
            self.imaging.reset()
        if self.imgix:
            self.imgix.reset()
            if self.settings.demo:  # the demo source again, with the id the ready file gives
                self.imgix_ready = await seed_imgix_demo(
                    self.imgix, self.storage, next(iter(self.edge.pop_urls.values()))
                )
        self.events.append("stack", "reset", purged=purged)
        return {"purged": purged, "events": self.events.last_seq}

    @property
    def admin_token(self) -> str:
        secret = self.settings.origin.auth.jwt_secret
        return make_token(secret, "*") if secret else ""

    def ready(self) -> dict[str, Any]:
        assert self.edge is not None
        return {
            "origin": self.origin_url,
            "platform": self.origin_url,
            "pops": [{"id": pop_id, "url": url} for pop_id, url in self.edge.pop_urls.items()],
            "shield": self.edge.shield_url,
            "control": self.edge.control_url,
            "distribution_id": self.edge.settings.distribution_id,
            "tenant": self.settings.origin.default_tenant,
            "environment": self.settings.origin.environment,
            "admin_token": self.admin_token,
            "clock": self.clock.spec,
            **({"imgix": self.imgix_ready} if self.imgix_ready else {}),
        } | (
            {
                "akamai": akamai_ready(
                    self.imaging, self.edge.pop_urls["pop-1"], self.akamai_sample_path
                )
            }
            if self.imaging
            else {}
        )

    async def wait_ready(self, timeout: float = 30.0) -> None:
        """Every part answers over HTTP (what --ready-file promises)."""
        info = self.ready()
        urls = [f"{info['origin']}/api/ping", f"{info['control']}/_sim/clock"]
        urls += [f"{pop['url']}/api/ping" for pop in info["pops"]]
        async with aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=timeout)) as session:
            for url in urls:
                async with session.get(url) as response:
                    if response.status != 200:
                        raise RuntimeError(f"{url} answered {response.status}")

    def write_ready_file(self, path: Path) -> None:
        temporary = path.with_suffix(path.suffix + ".tmp")
        temporary.write_text(json.dumps(self.ready(), indent=2))
        temporary.replace(path)  # readers never see half a file

    async def stop(self) -> None:
        await self._exit.aclose()
