"""Akamai Image Manager beside an edge (an :class:`edge.vendor.Vendor`): the properties'
state, the transformation service that renders every ``/_akamai/…`` derivative, the policy
API apps (production and staging), and the POP-side properties."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits, ServedApp, serve
from edge.config import CacheBehavior, CachePolicy
from edge.vendor import DemoImages, EdgeHandle, Replica, Routes
from imaging.formats import producible_formats
from vendors.akamai.addressing import INTERNAL_PREFIX, staging_prefix
from vendors.akamai.api import create_api_app
from vendors.akamai.backend import ImagingBackend, PropertySettings
from vendors.akamai.property import ImageManagerProperty, PublishedPolicies, build_properties
from vendors.akamai.renderer import Renderer

ORIGIN_ID = "akamai-image-manager"
# The path carries policy, version, width and format; the query the variables a request sets.
# Akamai obeys its own targeted field first, then CDN-Cache-Control (RFC 9213).
DERIVATIVES = CachePolicy(
    "AkamaiImageManager",
    0.0,
    86400.0,
    31536000.0,
    query_strings="all",
    targeted_cache_control=("Akamai-Cache-Control", "CDN-Cache-Control"),
)


class ImageManager:
    """Image Manager for ``properties`` (distinct names and Luna-Tokens). ``ports``: the
    production API, the staging API and the renderer (0: any free port)."""

    name = "akamai"

    def __init__(
        self,
        properties: Sequence[PropertySettings],
        *,
        clock: Clock,
        events: EventLog,
        host: str = "127.0.0.1",
        ports: tuple[int, int, int] = (0, 0, 0),
        limits: ConnectionLimits = DEFAULT_LIMITS,
    ) -> None:
        tokens = [p.luna_token for p in properties]
        names = [p.name for p in properties]
        if len(set(tokens)) != len(tokens) or len(set(names)) != len(names):
            raise ValueError("Image Manager properties need distinct names and Luna-Tokens")
        self.backends = {p.name: ImagingBackend(p, clock) for p in properties}
        self.by_token = {b.settings.luna_token: b for b in self.backends.values()}
        self.renderer = Renderer(self.backends, clock, events)
        formats = producible_formats()
        self._properties = [ImageManagerProperty(b, formats) for b in self.backends.values()]
        self._host, self._ports, self._limits = host, ports, limits
        self._served: list[ServedApp] = []
        self._edge: EdgeHandle | None = None
        self.api_url = self.staging_api_url = self.renderer_url = ""
        self.sample_path = ""

    async def start(self) -> Routes:
        self.renderer_url = await self._serve(self.renderer.create_app(), self._ports[2])
        behavior = CacheBehavior(f"{INTERNAL_PREFIX}/*", DERIVATIVES.name, ORIGIN_ID)
        return Routes((behavior,), {DERIVATIVES.name: DERIVATIVES}, {ORIGIN_ID: self.renderer_url})

    def properties(self) -> list[ImageManagerProperty]:
        return self._properties

    def replica(self) -> Replica:
        return Replica(build_properties, self._published())

    def _published(self) -> list[PublishedPolicies]:
        return [PublishedPolicies(b.settings, b.live_policies()) for b in self.backends.values()]

    async def attach(self, edge: EdgeHandle) -> None:
        self._edge = edge
        production = create_api_app(self.by_token, "production", edge.publish)
        staging = create_api_app(self.by_token, "staging", edge.publish)
        self.api_url = await self._serve(production, self._ports[0])
        self.staging_api_url = await self._serve(staging, self._ports[1])

    async def seed_demo(self, demo: DemoImages) -> None:
        self.sample_path = demo.sample_path

    def ready(self) -> dict[str, Any]:
        """The ready file's ``akamai`` entry: the APIs, and the first property's Luna-Token
        and image bases on the first POP."""
        first = next(iter(self.backends.values()), None)
        if first is None or self._edge is None:
            return {}
        pop = next(iter(self._edge.pop_urls.values()))
        prefix = first.settings.path_prefix or ""
        return {
            "api": self.api_url,
            "staging_api": self.staging_api_url,
            "luna_token": first.settings.luna_token,
            "delivery": pop + prefix,
            "staging_delivery": pop + (staging_prefix(prefix) if prefix else ""),
            "sample_path": self.sample_path,
            "transformer": self.renderer_url,
        }

    async def reset(self) -> None:
        for backend in self.backends.values():
            backend.reset()
        if self._edge is not None:
            await self._edge.publish()

    async def _serve(self, app: web.Application, port: int) -> str:
        served = await serve(app, self._host, port, limits=self._limits)
        self._served.append(served)
        return served.url

    async def stop(self) -> None:
        for served in reversed(self._served):
            await served.close()
        self._served.clear()
