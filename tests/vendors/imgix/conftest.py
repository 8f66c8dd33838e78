"""imgix fixtures: a real web folder of images, the rendering service, an edge of three
POPs and a shield, and the Management API, all on 127.0.0.1 with the manual clock."""

from __future__ import annotations

import io
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from common.clock import Clock
from common.events import EventLog
from edge.stack import Edge
from tests.edge.conftest import three_pops_with_shield
from vendors.imgix.api_keys import ALL_PERMISSIONS, ApiKey, RateLimit
from vendors.imgix.backend import ImgixSettings
from vendors.imgix.vendor import ImgixService

ADMIN = "a" * 32
SOURCES_ONLY = "s" * 32
PURGE_ONLY = "p" * 32
BROWSE_ONLY = "b" * 32
EDITOR = "e" * 32
ANALYTICS = "n" * 32
KEYS = (
    ApiKey(ADMIN, frozenset({"Account Admin"}), "admin@example.com"),
    ApiKey(SOURCES_ONLY, frozenset({"Sources"})),
    ApiKey(PURGE_ONLY, frozenset({"Purge"})),
    ApiKey(BROWSE_ONLY, frozenset({"Image Manager Browse"})),
    ApiKey(EDITOR, frozenset({"Image Manager Edit"})),
    ApiKey(ANALYTICS, frozenset({"Analytics"})),
)
assert ALL_PERMISSIONS


def image_bytes(
    size: tuple[int, int] = (200, 100),
    colour: tuple[int, ...] = (200, 30, 30),
    fmt: str = "PNG",
    mode: str = "RGB",
) -> bytes:
    out = io.BytesIO()
    Image.new(mode, size, colour).save(out, fmt)
    return out.getvalue()


def decoded(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image


@dataclass
class Folder:
    """A web folder: path → (bytes, headers); anything else 404. Counts requests."""

    files: dict[str, tuple[bytes, dict[str, str]]] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    url: str = ""
    failing: set[str] = field(default_factory=set)

    def put(self, path: str, body: bytes, **headers: str) -> None:
        self.files[path] = (body, {k.replace("_", "-"): v for k, v in headers.items()})

    async def handle(self, request: web.Request) -> web.Response:
        path = request.rel_url.raw_path
        self.counts[path] += 1
        if path in self.failing:
            return web.Response(status=500, text="broken")
        if path not in self.files:
            return web.Response(status=404, text="missing")
        body, headers = self.files[path]
        return web.Response(body=body, headers=headers)


@pytest.fixture
async def folder(aiohttp_server: Any) -> Folder:
    f = Folder()
    app = web.Application()
    app.router.add_get("/{tail:.*}", f.handle)
    server = await aiohttp_server(app)
    f.url = str(server.make_url("")).rstrip("/")
    return f


@dataclass
class Stack:
    service: ImgixService
    edge: Edge
    clock: Clock
    events: EventLog
    http: aiohttp.ClientSession
    folder: Folder

    @property
    def api(self) -> str:
        return self.service.api_url

    def pop(self, n: int = 1) -> str:
        return self.edge.pop_urls[f"pop-{n}"]

    async def call(
        self, method: str, path: str, key: str = ADMIN, body: Any = None, **kwargs: Any
    ) -> tuple[int, dict[str, Any]]:
        headers = {"Authorization": f"Bearer {key}", "Content-Type": "application/vnd.api+json"}
        headers.update(kwargs.pop("headers", {}))
        async with self.http.request(
            method, self.api + path, json=body, headers=headers, **kwargs
        ) as r:
            assert r.headers["Content-Type"].startswith("application/vnd.api+json")
            return r.status, await r.json(content_type=None)

    async def create_source(
        self, name: str = "web", subdomain: str = "demo", **deployment: Any
    ) -> str:
        dep = {"type": "webfolder", "imgix_subdomains": [subdomain], **deployment}
        if dep["type"] == "webfolder":
            dep.setdefault("webfolder_base_url", self.folder.url + "/images/")
        status, doc = await self.call(
            "POST",
            "/api/v1/sources",
            body={"data": {"type": "sources", "attributes": {"name": name, "deployment": dep}}},
        )
        assert status == 201, doc
        await self.clock.advance(self.service.settings.deploy_seconds)
        return str(doc["data"]["id"])

    async def get(
        self, path: str, subdomain: str = "demo", pop: int = 1, **headers: str
    ) -> tuple[int, bytes, Any]:
        async with self.http.get(f"{self.pop(pop)}/imgix/{subdomain}{path}", headers=headers) as r:
            return r.status, await r.read(), r.headers


async def start_stack(
    clock: Clock,
    events: EventLog,
    folder: Folder,
    moto_url: str | None = None,
    profile: str = "cloudfront",
    **overrides: Any,
) -> tuple[ImgixService, Edge]:
    settings = ImgixSettings(KEYS, **{"seed": 7, "s3_endpoint": moto_url, **overrides})
    service = ImgixService(settings, clock=clock, events=events)
    edge = Edge(
        three_pops_with_shield(folder.url, seed=7, profile=profile),
        clock=clock,
        events=events,
        vendors=[service],
    )
    await edge.start()
    return service, edge


@pytest.fixture
def profile() -> str:
    return "cloudfront"


@pytest.fixture
async def stack(
    clock: Clock,
    events: EventLog,
    folder: Folder,
    moto_server: Any,
    profile: str,
) -> AsyncIterator[Stack]:
    moto_server.reset()
    service, edge = await start_stack(clock, events, folder, moto_server.url, profile)
    async with aiohttp.ClientSession() as http:
        yield Stack(service, edge, clock, events, http, folder)
    await edge.stop()


__all__ = ["RateLimit"]
