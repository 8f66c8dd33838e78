"""The rendering service the POPs fill ``/_imgix/…`` from: it takes the master image
from imgix's origin cache or the source's storage (:mod:`vendors.imgix.refresh`), renders
it with Pillow, and says in ``Cache-Control`` how long the edge may keep the result (see
:mod:`vendors.imgix.cache_ttl`).

Answers: 200 with the image; 404/502, or 422 for an animation over the render bounds
(with the source's ``image_missing``/``image_error`` image when it has one) cached for
``cache_ttl_error``; 410 for a disabled source, not cached.
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from aiohttp import web

from common.errors import json_errors
from imaging.errors import UnreadableImage
from imaging.rendered import Rendered
from vendors.imgix.addressing import split_internal, url_target
from vendors.imgix.animation import AnimationTooLarge
from vendors.imgix.assets import etag_of
from vendors.imgix.backend import ImgixBackend, sub_image_key
from vendors.imgix.cache_ttl import (
    NO_STORE,
    error_cache_control,
    image_cache_control,
    origin_lifetime,
)
from vendors.imgix.fetch import Original, OriginGate
from vendors.imgix.pipeline import render
from vendors.imgix.refresh import master_image
from vendors.imgix.sources import Source

BACKEND = web.AppKey("imgix_backend", ImgixBackend)
GATE = web.AppKey("imgix_gate", OriginGate)


def create_renderer_app(backend: ImgixBackend, gate: OriginGate) -> web.Application:
    """``gate``: opened and closed by the caller (the imgix service)."""
    app = web.Application(middlewares=[json_errors])
    app[BACKEND], app[GATE] = backend, gate
    app.router.add_route("GET", "/_imgix/{rest:.*}", render_image)
    return app


def _error(status: int, message: str, cache_control: str) -> web.Response:
    body = {"code": f"imgix_{status}", "message": message, "status": status}
    return web.Response(
        text=json.dumps(body),
        status=status,
        content_type="application/json",
        headers={"Cache-Control": cache_control},
    )


async def render_image(request: web.Request) -> web.Response:
    backend, gate = request.app[BACKEND], request.app[GATE]
    found = split_internal(request.rel_url.raw_path)
    source = backend.sources.by_id.get(found[0]) if found else None
    if found is None or source is None:
        return _error(404, "no such source", NO_STORE)
    if not source.enabled:
        return _error(410, "this source is disabled", NO_STORE)
    now = backend.clock.now()
    source.settle(now)
    deployment = source.live
    if deployment is None:
        return _error(404, "this source is still deploying", NO_STORE)
    params = dict(request.query)
    original = await master_image(backend, gate, source.id, deployment, found[1])
    if original.status != 200:
        return await _failure(request, source, deployment, params, original.status, original.reason)
    await _observe(backend, source, found[1], original)
    subs = await _sub_images(gate, backend, source, deployment, params, request.rel_url.raw_path_qs)
    try:
        rendered = await asyncio.to_thread(render, original.body, params, *subs)
    except UnreadableImage as exc:
        return await _failure(request, source, deployment, params, 502, str(exc))
    except AnimationTooLarge as exc:
        return await _failure(request, source, deployment, params, exc.status, str(exc))
    backend.events.append(
        "imgix",
        "render",
        source=source.id,
        path=found[1],
        status=200,
        bytes=len(rendered.body),
        cpu=round(rendered.cpu_seconds, 6),
    )
    cache_control = image_cache_control(deployment, origin_lifetime(original.headers))
    return _image(rendered, 200, cache_control)


def _image(rendered: Rendered, status: int, cache_control: str, **extra: str) -> web.Response:
    headers = {
        "Cache-Control": cache_control,
        "Content-Type": rendered.content_type,
        "X-Imgix-Width": str(rendered.width),
        "X-Imgix-Height": str(rendered.height),
        **extra,
    }
    return web.Response(body=rendered.body, status=status, headers=headers)


async def _failure(
    request: web.Request,
    source: Source,
    deployment: Mapping[str, Any],
    params: dict[str, str],
    status: int,
    reason: str,
) -> web.Response:
    """An error, or the source's fallback image for it, kept for ``cache_ttl_error``."""
    backend, gate = request.app[BACKEND], request.app[GATE]
    kind = "missing" if status == 404 else "error"
    cache_control = error_cache_control(deployment)
    backend.events.append(
        "imgix",
        "origin_error",
        source=source.id,
        status=status,
        reason=reason,
        path=request.rel_url.raw_path,
    )
    fallback_url = deployment.get(f"image_{kind}")
    if fallback_url:
        fallback = await _fetch_reference(gate, backend, source, deployment, fallback_url)
        if fallback.status == 200:
            use = params if deployment.get(f"image_{kind}_append_qs") else {}
            try:
                rendered = await asyncio.to_thread(render, fallback.body, use)
            except (UnreadableImage, AnimationTooLarge):
                pass
            else:
                return _image(rendered, status, cache_control, **{"X-Imgix-Fallback": kind})
    return _error(status, reason, cache_control)


async def _sub_images(
    gate: OriginGate,
    backend: ImgixBackend,
    source: Source,
    deployment: Mapping[str, Any],
    params: Mapping[str, str],
    parent_uri: str,
) -> tuple[bytes | None, bytes | str | None]:
    """The ``mark`` and ``blend`` sub-images (a blend may be a colour), each remembered as
    used by this parent; one that cannot be loaded is left out."""
    out: list[Any] = []
    for name in ("mark", "blend"):
        ref = params.get(name)
        if ref is None or (name == "blend" and not ref.startswith(("/", "http"))):
            out.append(ref)
            continue
        backend.sub_images.record(
            source.id, parent_uri, sub_image_key(ref, source, backend.sources, backend.clock.now())
        )
        got = await _fetch_reference(gate, backend, source, deployment, ref)
        out.append(got.body if got.status == 200 else None)
    return out[0], out[1]


async def _fetch_reference(
    gate: OriginGate, backend: ImgixBackend, source: Source, deployment: Mapping[str, Any], ref: str
) -> Original:
    """A sub-image or fallback: a path on this source, an image of a source, or an allowed URL."""
    if ref.startswith("/"):
        return await master_image(backend, gate, source.id, deployment, ref.split("?", 1)[0])
    target = url_target(ref)
    owner = backend.sources.serving(target[0], backend.clock.now()) if target else None
    if owner is not None and owner.live is not None and target is not None:
        return await master_image(backend, gate, owner.id, owner.live, target[1])
    return await gate.http(ref)


async def _observe(backend: ImgixBackend, source: Source, path: str, original: Original) -> None:
    """Index the original as an Image Manager asset (measured off the loop, once per ETag)."""
    decoded_path = unquote(path)
    if not backend.assets.known(source.id, decoded_path, etag_of(original)):
        now = backend.clock.now()
        await asyncio.to_thread(backend.assets.observe, source.id, decoded_path, original, now)
