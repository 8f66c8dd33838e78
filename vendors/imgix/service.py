"""imgix on an edge: the rendering service, the property and the Management API, wired.

Order: ``await service.start_renderer()``; build the :class:`~edge.stack.Edge` with
``service.edge_settings(settings)`` and ``properties=[service.property]``; start it; then
``await service.start_api(edge)`` (purges need the edge's invalidation service).
"""

from __future__ import annotations

from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits, ServedApp, serve
from edge.config import CacheBehavior, CachePolicy, EdgeSettings
from edge.properties import with_routes
from edge.stack import Edge
from vendors.imgix.addressing import INTERNAL_PREFIX
from vendors.imgix.api import create_api_app
from vendors.imgix.backend import ImgixBackend, ImgixSettings
from vendors.imgix.property import ImgixProperty
from vendors.imgix.purges import Purges
from vendors.imgix.renderer import create_renderer_app

RENDERER_ORIGIN = "imgix-renderer"
# The rendering service says how long (cache_ttl): no default, no floor, at most a year.
RENDERED_POLICY = CachePolicy("ImgixRendered", 0.0, 0.0, 31536000.0, query_strings="all")


class ImgixService:
    def __init__(
        self,
        settings: ImgixSettings,
        *,
        clock: Clock,
        events: EventLog,
        limits: ConnectionLimits = DEFAULT_LIMITS,
    ) -> None:
        self.settings = settings
        self._limits = limits
        self.backend = ImgixBackend(settings, clock, events)
        self.property = ImgixProperty(self.backend)
        self.renderer_url = ""
        self.api_url = ""
        self.purges: Purges | None = None
        self._served: list[ServedApp] = []

    async def start_renderer(self) -> str:
        self.renderer_url = await self._serve(
            create_renderer_app(self.backend), self.settings.renderer_port
        )
        return self.renderer_url

    def edge_settings(self, settings: EdgeSettings) -> EdgeSettings:
        """``settings`` with the internal prefix routed to the rendering service first."""
        assert self.renderer_url, "start the renderer first"
        behavior = CacheBehavior(INTERNAL_PREFIX + "*", RENDERED_POLICY.name, RENDERER_ORIGIN)
        return with_routes(
            settings,
            [behavior],
            {RENDERED_POLICY.name: RENDERED_POLICY},
            {RENDERER_ORIGIN: self.renderer_url},
        )

    async def start_api(self, edge: Edge) -> str:
        assert edge.invalidations is not None, "start the edge first"
        self.purges = Purges(self.backend, edge.invalidations)
        if edge.shield is not None:
            self.backend.reports.skip_pops = frozenset({edge.shield.pop_id})
        self.api_url = await self._serve(
            create_api_app(self.backend, self.purges), self.settings.api_port
        )
        return self.api_url

    def reset(self) -> None:
        """Sources, assets, purges, reports and key rate windows as at start-up (the
        edge's caches and invalidations are the edge's to reset)."""
        self.backend.reset()
        if self.purges is not None:
            self.purges.reset()

    async def _serve(self, app: web.Application, port: int) -> str:
        served = await serve(app, self.settings.host, port, limits=self._limits)
        self._served.append(served)
        return served.url

    async def stop(self) -> None:
        for served in reversed(self._served):
            await served.close()
        self._served.clear()
