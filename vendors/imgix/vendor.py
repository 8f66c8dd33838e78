"""imgix beside an edge (an :class:`edge.vendor.Vendor`): the rendering service the POPs
fill ``/_imgix/…`` from, the property that maps viewer URLs to it, and the Management API
(purges go through the edge's invalidations)."""

from __future__ import annotations

import asyncio
from typing import Any

import boto3
from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits, ServedApp, serve
from edge.config import CacheBehavior, CachePolicy
from edge.vendor import DemoImages, EdgeHandle, Replica, Routes, StorageAccess
from vendors.imgix.addressing import INTERNAL_PREFIX
from vendors.imgix.api_app import create_api_app
from vendors.imgix.backend import ImgixBackend, ImgixSettings
from vendors.imgix.property import ImgixProperty, build_properties, published
from vendors.imgix.purges import Purges
from vendors.imgix.renderer import create_renderer_app

RENDERER_ORIGIN = "imgix-renderer"
# The rendering service says how long (cache_ttl): no default, no floor, at most a year.
RENDERED_POLICY = CachePolicy("ImgixRendered", 0.0, 0.0, 31536000.0, query_strings="all")
DEMO_BUCKET = "cdnsim-imgix-demo"
DEMO_SUBDOMAIN = "demo"
SAMPLE_PATH = "/demo/sample.jpg"


class ImgixService:
    """The imgix account. ``storage``: where the demo keeps its bucket (and S3 sources read)."""

    name = "imgix"

    def __init__(
        self,
        settings: ImgixSettings,
        *,
        clock: Clock,
        events: EventLog,
        storage: StorageAccess | None = None,
        limits: ConnectionLimits = DEFAULT_LIMITS,
    ) -> None:
        self.settings = settings
        self._limits = limits
        self.backend = ImgixBackend(settings, clock, events)
        self._property = ImgixProperty(self.backend, clock)
        self._storage = storage
        self._edge: EdgeHandle | None = None
        self._served: list[ServedApp] = []
        self.purges: Purges | None = None
        self.renderer_url = self.api_url = ""
        self._demo: dict[str, Any] = {}

    async def start(self) -> Routes:
        app = create_renderer_app(self.backend)
        self.renderer_url = await self._serve(app, self.settings.renderer_port)
        behavior = CacheBehavior(INTERNAL_PREFIX + "*", RENDERED_POLICY.name, RENDERER_ORIGIN)
        return Routes(
            (behavior,),
            {RENDERED_POLICY.name: RENDERED_POLICY},
            {RENDERER_ORIGIN: self.renderer_url},
        )

    def properties(self) -> list[ImgixProperty]:
        return [self._property]

    def replica(self) -> Replica:
        return Replica(build_properties, published(self.backend.sources))

    async def attach(self, edge: EdgeHandle) -> None:
        self._edge = edge
        self.purges = Purges(self.backend, edge)
        if edge.shield_id is not None:
            self.backend.reports.skip_pops = frozenset({edge.shield_id})
        app = create_api_app(self.backend, self.purges, edge.publish)
        self.api_url = await self._serve(app, self.settings.api_port)

    async def seed_demo(self, demo: DemoImages) -> None:
        """One S3 source over a bucket of the stack's storage holding one image, deployed at
        once (the ready file promises a working delivery URL)."""
        if self._storage is None or self._edge is None:
            return
        await asyncio.to_thread(_put_demo_image, self._storage, demo.sample_jpeg)
        attrs = {
            "name": "cdnsim demo",
            "deployment": {
                "type": "s3",
                "s3_bucket": DEMO_BUCKET,
                "s3_access_key": self._storage.access_key_id,
                "s3_secret_key": self._storage.secret_access_key,
                "imgix_subdomains": [DEMO_SUBDOMAIN],
                "default_params": {"auto": "format"},
            },
        }
        now = self.backend.clock.now()
        source = self.backend.sources.create(attrs, "demo-admin", now, deploy_seconds=0.0)
        self.backend.events.append("imgix", "source_created", source=source.id)
        await self._edge.publish()
        pop = next(iter(self._edge.pop_urls.values()))
        self._demo = {
            "source_id": source.id,
            "delivery": f"{pop}/imgix/{DEMO_SUBDOMAIN}",
            "sample_path": SAMPLE_PATH,
        }

    def ready(self) -> dict[str, Any]:
        """The ready file's ``imgix`` entry: the API, a key with every permission and one
        with Sources only; with a demo, its source, delivery base and image path."""
        if not self.api_url:
            return {}
        admin, restricted = (k.key for k in self.settings.api_keys[:2])
        return {"api": self.api_url, "api_key": admin, "restricted_key": restricted, **self._demo}

    async def reset(self) -> None:
        """Sources, assets, purges, reports and key rate windows as at start-up (the
        edge's caches and invalidations are the edge's to reset); no demo source."""
        self.backend.reset()
        if self.purges is not None:
            self.purges.reset()
        self._demo = {}
        if self._edge is not None:
            await self._edge.publish()

    async def _serve(self, app: web.Application, port: int) -> str:
        served = await serve(app, self.settings.host, port, limits=self._limits)
        self._served.append(served)
        return served.url

    async def stop(self) -> None:
        for served in reversed(self._served):
            await served.close()
        self._served.clear()


def _put_demo_image(storage: StorageAccess, body: bytes) -> None:
    s3 = boto3.client(
        "s3",
        endpoint_url=storage.endpoint,
        region_name=storage.region,
        aws_access_key_id=storage.access_key_id,
        aws_secret_access_key=storage.secret_access_key,
    )
    try:
        existing = {b["Name"] for b in s3.list_buckets().get("Buckets", [])}
        if DEMO_BUCKET not in existing:
            s3.create_bucket(Bucket=DEMO_BUCKET)
        s3.put_object(
            Bucket=DEMO_BUCKET, Key=SAMPLE_PATH.lstrip("/"), ContentType="image/jpeg", Body=body
        )
    finally:
        s3.close()
