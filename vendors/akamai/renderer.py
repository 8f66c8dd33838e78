"""The transformation service: the origin of every ``/_akamai/…`` derivative path.

It fetches the pristine image from the property's origin (and composite layers from the
hosts the policy allows — see :mod:`vendors.akamai.composite_sources` — nothing else),
applies the policy version named in the path with Pillow off the event loop, encodes the
result in each candidate format the path names and answers with the smallest
(:mod:`vendors.akamai.best_image`). A policy that fails on an
image yields the pristine image, marked by ``X-Akamai-Im-Fallback`` and a
``policy_failed`` event. Events (component ``akamai``): ``origin_fetch``, ``render``
(with ``cpu_seconds``), ``policy_failed`` — each names property, network, policy and version.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp
from aiohttp import web
from PIL import Image
from yarl import URL

from common.bodies import UpstreamBodyError, read_response
from common.clock import Clock
from common.errors import ApiError, NotFound, json_errors
from common.events import EventLog
from imaging.decoding import decode
from imaging.errors import UnreadableImage
from imaging.rendered import Rendered
from vendors.akamai.addressing import Derivative, parse_internal
from vendors.akamai.backend import ImagingBackend, PropertySettings
from vendors.akamai.best_image import best_encoding
from vendors.akamai.composite_sources import allowed_hosts, composite_urls, url_allowed
from vendors.akamai.delivery import quality_of
from vendors.akamai.ops_geometry import TransformError
from vendors.akamai.pipeline import RenderInputs, apply_policy
from vendors.akamai.variables import VariableError, variable_value

MAX_SOURCE_BYTES = 50 * 1024 * 1024
MAX_SOURCE_PIXELS = 50_000_000
FETCH_TIMEOUT = aiohttp.ClientTimeout(total=30, connect=10)
POLICY_FAILURES = (
    UnreadableImage,
    TransformError,
    VariableError,
    ValueError,
    OSError,
    KeyError,
    MemoryError,
)


class FetchFailed(Exception):
    def __init__(self, url: str, status: int | None, why: str) -> None:
        super().__init__(f"{url}: {why}")
        self.status = status


class Renderer:
    def __init__(
        self, backends: Mapping[str, ImagingBackend], clock: Clock, events: EventLog
    ) -> None:
        self.backends = backends  # property name → backend
        self.clock = clock
        self.events = events
        self.session: aiohttp.ClientSession | None = None

    def create_app(self) -> web.Application:
        app = web.Application(middlewares=[json_errors])
        app.router.add_get("/_akamai/{tail:.+}", self.serve)
        app.cleanup_ctx.append(self._session_ctx)
        return app

    async def _session_ctx(self, _: web.Application) -> AsyncIterator[None]:
        self.session = aiohttp.ClientSession(timeout=FETCH_TIMEOUT, auto_decompress=True)
        yield
        await self.session.close()

    def _event(self, kind: str, d: Derivative, **data: Any) -> None:
        self.events.append("akamai", kind, property=d.prop, network=d.network, policy=d.policy_id,
                           version=d.version, **data)  # fmt: skip

    async def serve(self, request: web.Request) -> web.Response:
        d = parse_internal(request.rel_url.raw_path)
        backend = self.backends.get(d.prop) if d else None
        if d is None or backend is None:
            raise NotFound("no such Image Manager derivative path", code="unknown_derivative")
        policy = backend.policies[d.network].at_version(d.policy_id, d.version)
        if policy is None:
            raise NotFound(f"policy {d.policy_id!r} has no version {d.version} on {d.network}",
                           code="unknown_policy_version")  # fmt: skip
        settings = backend.settings
        source_url = settings.origin.rstrip("/") + d.image_path
        try:
            source, source_type = await self._fetch(source_url, d, "source")
        except FetchFailed as failure:
            if failure.status == 404:
                raise NotFound(
                    f"the origin has no {d.image_path}", code="image_not_found"
                ) from None
            raise ApiError(str(failure), status=502, code="origin_failed") from None
        try:
            values = {
                v["name"]: variable_value(v, request.query.get(v["name"]))
                for v in policy.get("variables", [])
            }
            layers = await self._layers(policy, values, d, settings)
            inputs = RenderInputs(values, layers)
            quality = quality_of(policy.get("output", {}), values)
            rendered, sizes = await asyncio.to_thread(_render, source, policy, d, inputs, quality)
        except POLICY_FAILURES as error:
            return self._fallback(
                backend, d, source, source_type, f"{type(error).__name__}: {error}"
            )
        self._event("render", d, width=rendered.width, format=rendered.format, bytes=len(rendered.body),
                    candidates=sizes, cpu_seconds=round(rendered.cpu_seconds, 6),
                    image=d.image_path)  # fmt: skip
        backend.derivatives[d.network].record(
            d.image_path,
            source_url,
            d.policy_id,
            rendered.width,
            d.version,
            "PASSED",
            self.clock.now(),
        )
        headers = self._headers(d, settings.ttl)
        headers.update(
            {"X-Akamai-Im-Width": str(rendered.width), "X-Akamai-Im-Format": rendered.format}
        )
        return web.Response(body=rendered.body, content_type=rendered.content_type, headers=headers)

    def _fallback(self, backend: ImagingBackend, d: Derivative, source: bytes, source_type: str,
                  reason: str) -> web.Response:  # fmt: skip
        self._event("policy_failed", d, reason=reason, image=d.image_path)
        source_url = backend.settings.origin.rstrip("/") + d.image_path
        backend.derivatives[d.network].record(
            d.image_path, source_url, d.policy_id, d.width, d.version, "FAILED", self.clock.now()
        )
        headers = self._headers(d, backend.settings.fallback_ttl)
        headers["X-Akamai-Im-Fallback"] = reason[:200].replace("\n", " ")
        return web.Response(body=source, content_type=source_type, headers=headers)

    @staticmethod
    def _headers(d: Derivative, ttl: float) -> dict[str, str]:
        return {
            "Cache-Control": f"public, max-age={int(ttl)}",
            "X-Akamai-Im-Policy": d.policy_id,
            "X-Akamai-Im-Version": str(d.version),
            "X-Akamai-Im-Network": d.network,
        }

    async def _layers(self, policy: Mapping[str, Any], values: Mapping[str, str], d: Derivative,
                      settings: PropertySettings) -> dict[str, Image.Image]:  # fmt: skip
        layers = {}
        hosts = allowed_hosts(policy)
        for url in sorted(composite_urls(policy, values)):
            if not url_allowed(url, hosts):
                raise TransformError(
                    f"composite image {url!r} is on no host the policy allows ({', '.join(hosts) or 'none'})"
                )
            try:
                data, _ = await self._fetch(_absolute(url, settings.origin), d, "composite",
                                            dict(settings.resolve))  # fmt: skip
            except FetchFailed as failure:
                raise TransformError(f"composite image: {failure}") from None
            layers[url] = await asyncio.to_thread(decode, data, MAX_SOURCE_PIXELS)
        return layers

    async def _fetch(self, url: str, d: Derivative, role: str,
                     resolve: Mapping[str, str] | None = None) -> tuple[bytes, str]:  # fmt: skip
        assert self.session is not None, "transformer not started"
        target, headers = _resolved(URL(url, encoded=True), resolve or {})
        try:
            async with self.session.get(target, headers=headers, allow_redirects=False) as response:
                body = await read_response(response, MAX_SOURCE_BYTES)
                self._event(
                    "origin_fetch", d, url=url, role=role, status=response.status, bytes=len(body)
                )
                if response.status != 200:
                    raise FetchFailed(url, response.status, f"answered {response.status}")
                return body, response.content_type or "application/octet-stream"
        except UpstreamBodyError as error:
            raise FetchFailed(url, None, str(error)) from None
        except (aiohttp.ClientError, TimeoutError, ValueError) as error:
            raise FetchFailed(url, None, f"{type(error).__name__}: {error}") from None


def _absolute(url: str, origin: str) -> str:
    """A composite URL as fetched: a path on the property's origin; ``//host/…`` and a
    scheme-less ``host/…`` (the seed's ``www.customer.com/watermark.png``) over http."""
    if url.startswith("/") and not url.startswith("//"):
        return origin.rstrip("/") + url
    if "://" in url:
        return url
    return "http://" + url.removeprefix("//")


def _resolved(url: URL, resolve: Mapping[str, str]) -> tuple[URL, dict[str, str]]:
    """The URL to connect to and the headers to send: a host the property resolves
    elsewhere (``host[:port]`` → ``address:port``, as curl's ``--resolve``) is reached at that
    address with its own name in ``Host``."""
    netloc = url.raw_authority.lower()
    address = resolve.get(netloc) or resolve.get(url.raw_host or "")
    if address is None:
        return url, {}
    host, _, port = address.rpartition(":")
    return url.with_host(host).with_port(int(port)), {"Host": netloc}


def _render(source: bytes, policy: Mapping[str, Any], d: Derivative, inputs: RenderInputs,
            quality: int) -> tuple[Rendered, dict[str, int]]:  # fmt: skip
    started = time.thread_time()
    image = apply_policy(decode(source, MAX_SOURCE_PIXELS), policy, d.width, inputs)
    fmt, body, sizes = best_encoding(image, d.formats, quality)
    cpu = time.thread_time() - started
    return Rendered(body, fmt, image.width, image.height, cpu), sizes
