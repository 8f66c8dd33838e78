"""Akamai Image Manager beside an edge: the properties' state, the policy API apps
(production and staging), the transformation service, and what the edge needs to use
them (the POP-side properties and the ``/_akamai/*`` cache behaviour)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Self

from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits, ServedApp, serve
from edge.config import CacheBehavior, CachePolicy, EdgeSettings
from edge.properties import with_routes
from vendors.akamai.addressing import INTERNAL_PREFIX
from vendors.akamai.api import create_api_app
from vendors.akamai.backend import ImagingBackend, PropertySettings
from vendors.akamai.encoding import producible_formats
from vendors.akamai.property import ImageManagerProperty
from vendors.akamai.renderer import Transformer

ORIGIN_ID = "akamai-image-manager"
# The path carries policy, version, width and format; the query the variables a request sets.
DERIVATIVES = CachePolicy("AkamaiImageManager", 0.0, 86400.0, 31536000.0, query_strings="all")


class ImageManager:
    """``await im.start()`` before the edge starts; ``im.edge_settings(s)`` and
    ``im.properties()`` go to :class:`~edge.stack.Edge`; ``api_url``, ``staging_api_url``."""

    def __init__(
        self,
        properties: Sequence[PropertySettings],
        *,
        clock: Clock,
        events: EventLog,
        host: str = "127.0.0.1",
        api_port: int = 0,
        staging_api_port: int = 0,
        transformer_port: int = 0,
        limits: ConnectionLimits = DEFAULT_LIMITS,
    ) -> None:
        tokens = [p.luna_token for p in properties]
        names = [p.name for p in properties]
        if len(set(tokens)) != len(tokens) or len(set(names)) != len(names):
            raise ValueError("Image Manager properties need distinct names and Luna-Tokens")
        self.backends = {p.name: ImagingBackend(p, clock) for p in properties}
        self.by_token = {b.settings.luna_token: b for b in self.backends.values()}
        self.transformer = Transformer(self.backends, clock, events)
        self._host = host
        self._ports = (api_port, staging_api_port, transformer_port)
        self._limits = limits
        self._served: list[ServedApp] = []
        self.api_url = self.staging_api_url = self.transformer_url = ""

    async def start(self) -> None:
        api_port, staging_port, transformer_port = self._ports
        self.transformer_url = await self._serve(self.transformer.create_app(), transformer_port)
        self.api_url = await self._serve(create_api_app(self.by_token, "production"), api_port)
        self.staging_api_url = await self._serve(
            create_api_app(self.by_token, "staging"), staging_port
        )

    async def _serve(self, app: web.Application, port: int) -> str:
        served = await serve(app, self._host, port, limits=self._limits)
        self._served.append(served)
        return served.url

    async def stop(self) -> None:
        for served in reversed(self._served):
            await served.close()
        self._served.clear()

    def properties(self) -> list[ImageManagerProperty]:
        formats = producible_formats()
        return [ImageManagerProperty(b, formats) for b in self.backends.values()]

    def edge_settings(self, settings: EdgeSettings) -> EdgeSettings:
        """``settings`` with derivative paths routed to the transformation service."""
        if not self.transformer_url:
            raise RuntimeError("start the Image Manager before configuring the edge")
        behavior = CacheBehavior(f"{INTERNAL_PREFIX}/*", DERIVATIVES.name, ORIGIN_ID)
        return with_routes(
            settings, [behavior], {DERIVATIVES.name: DERIVATIVES}, {ORIGIN_ID: self.transformer_url}
        )

    def reset(self) -> None:
        for backend in self.backends.values():
            backend.reset()

    async def __aenter__(self) -> Self:
        await self.start()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.stop()
