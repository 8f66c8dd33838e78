"""Image Manager fixtures: a real image origin on loopback, the Image Manager apps, and
an edge (three POPs and a shield) that speaks it."""

from __future__ import annotations

import contextlib
import io
from collections import Counter
from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from PIL import Image

from common.clock import Clock
from common.events import EventLog
from edge.stack import Edge
from tests.edge.conftest import three_pops_with_shield
from vendors.akamai import ImageManager, PropertySettings

TOKEN = "akab-test-token"


def image_bytes(size: tuple[int, int] = (800, 600), color: Any = (200, 30, 30), fmt: str = "PNG",
                mode: str = "RGB") -> bytes:  # fmt: skip
    out = io.BytesIO()
    Image.new(mode, size, color).save(out, fmt)
    return out.getvalue()


def gradient_bytes(size: tuple[int, int] = (256, 256)) -> bytes:
    """A textured JPEG, so that encoding quality shows in the byte count."""
    image = Image.new("RGB", size)
    image.putdata([(x, y, (x * y) % 256) for y in range(size[1]) for x in range(size[0])])
    out = io.BytesIO()
    image.save(out, "JPEG", quality=95)
    return out.getvalue()


class ImageOrigin:
    """Pristine images by path; counts every request."""

    def __init__(self) -> None:
        self.images: dict[str, tuple[bytes, str]] = {
            "/photos/red.jpg": (image_bytes(fmt="JPEG"), "image/jpeg"),
            "/photos/logo.png": (
                image_bytes((100, 50), (0, 0, 255, 255), mode="RGBA"),
                "image/png",
            ),
            "/photos/clear.png": (
                image_bytes((400, 300), (0, 255, 0, 0), mode="RGBA"),
                "image/png",
            ),
            "/photos/broken.jpg": (b"not an image at all", "image/jpeg"),
            "/photos/gradient.jpg": (gradient_bytes(), "image/jpeg"),
        }
        self.counts: Counter[str] = Counter()
        self.url = ""
        self.app = web.Application()
        self.app.router.add_get("/{tail:.*}", self.handle)

    async def handle(self, request: web.Request) -> web.Response:
        self.counts[request.path] += 1
        found = self.images.get(request.path)
        if found is None:
            return web.Response(status=404, text="no such image")
        return web.Response(body=found[0], content_type=found[1])


@pytest.fixture
async def image_origin(aiohttp_server: Any) -> ImageOrigin:
    origin = ImageOrigin()
    server = await aiohttp_server(origin.app)
    origin.url = str(server.make_url("")).rstrip("/")
    return origin


@dataclass
class ImagingStack:
    im: ImageManager
    edge: Edge
    origin: ImageOrigin
    http: aiohttp.ClientSession

    @property
    def pop(self) -> str:
        return self.edge.pop_urls["pop-1"]

    def delivery(self, path: str, *, staging: bool = False, pop: str = "pop-1") -> str:
        base = "/akamai-staging/demo" if staging else "/akamai/demo"
        return self.edge.pop_urls[pop] + base + path

    def api(self, path: str, *, staging: bool = False) -> str:
        return (self.im.staging_api_url if staging else self.im.api_url) + path

    async def put_policy(
        self, policy_id: str, body: Any, *, staging: bool = False
    ) -> dict[str, Any]:
        url = self.api(f"/imaging/v2/policies/{policy_id}", staging=staging)
        async with self.http.put(url, json=body, headers={"Luna-Token": TOKEN}) as response:
            assert response.status in (200, 201), await response.text()
            return dict(await response.json())

    async def get(self, url: str, **headers: str) -> tuple[aiohttp.ClientResponse, bytes]:
        async with self.http.get(url, headers=headers) as response:
            return response, await response.read()


@contextlib.asynccontextmanager
async def imaging_stack(
    origin: Any, clock: Clock, events: EventLog, *, resolve: tuple[tuple[str, str], ...] = ()
) -> AsyncIterator[ImagingStack]:
    """One property (``demo``) whose pristine images come from ``origin`` (which has a
    ``url``), behind three POPs and a shield; ``resolve``: (host, address) pairs the
    renderer reaches elsewhere."""
    settings = PropertySettings("demo", TOKEN, origin.url, path_prefix="/akamai/demo",
                                hosts=("images.example.com",), resolve=resolve)  # fmt: skip
    im = ImageManager([settings], clock=clock, events=events)
    edge = Edge(three_pops_with_shield(origin.url), clock=clock, events=events, vendors=[im])
    await edge.start()
    async with aiohttp.ClientSession() as http:
        yield ImagingStack(im, edge, origin, http)
    await edge.stop()


@pytest.fixture
async def imaging(
    image_origin: ImageOrigin, clock: Clock, events: EventLog
) -> AsyncIterator[ImagingStack]:
    async with imaging_stack(image_origin, clock, events) as stack:
        yield stack


def decoded(body: bytes) -> Image.Image:
    image = Image.open(io.BytesIO(body))
    image.load()
    return image
