"""The platform cache-invalidation API: DELETE /{environment}-lof/images/{tenant}/{imagePackId}
drops a pack's S3 variants and its edge paths at once (no waiting for the aggregator).

It belongs to the platform management host (seed 000), which the origin serves on a port
of its own when ``platform_port`` is set; :func:`platform_host` keeps each listener and
each ``Host`` to its service (the rules are :mod:`origin.hosts`)."""

from __future__ import annotations

from typing import assert_never

from aiohttp import web
from aiohttp.typedefs import Handler
from botocore.exceptions import BotoCoreError, ClientError

from common.errors import ApiError, NotFound, ServiceUnavailable
from origin.aggregator.invalidator import EdgeBusy
from origin.app_keys import IDS, INVALIDATOR, SETTINGS, STORAGE
from origin.auth import authorize
from origin.hosts import Listener, admit, is_platform_path, service_named_by
from origin.models.fields import ID_PATTERN, TENANT_PATTERN


async def invalidate_image_pack_cache(request: web.Request) -> web.Response:
    environment = request.match_info["environment"]
    tenant, pack = request.match_info["tenant"], request.match_info["imagePackId"]
    if environment != request.app[SETTINGS].environment or not TENANT_PATTERN.fullmatch(tenant):
        raise NotFound(f"no environment {environment!r} or tenant {tenant!r} here")
    authorize(request, tenant)
    if (
        not ID_PATTERN.fullmatch(pack)
        or await request.app[STORAGE].get_item("packs", tenant, pack) is None
    ):
        raise NotFound(f"no image pack {pack!r} for tenant {tenant!r}")
    invalidator = request.app[INVALIDATOR]
    await invalidator.delete_variants(tenant, pack, by="platform")
    reference = f"cdnsim-platform-{request.app[IDS].new_id()}"
    try:
        await invalidator.invalidate_edge(invalidator.paths([pack]), reference, by="platform")
    except EdgeBusy:
        raise ServiceUnavailable(
            "the edge has too many invalidations in progress; retry later",
            code="edge_busy",
            headers={"Retry-After": "30"},
        ) from None
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable(
            f"the edge did not accept the invalidation: {exc}", code="edge_unavailable"
        ) from None
    return web.Response(status=204)


@web.middleware
async def platform_host(request: web.Request, handler: Handler) -> web.StreamResponse:
    """The platform listener and the platform ``Host`` answer the invalidation API only;
    an image-service ``Host`` on the platform listener is misdirected (421)."""
    settings = request.app[SETTINGS]
    listener = listener_of(request, settings.platform_port)
    admission = admit(listener, service_named_by(request.host), is_platform_path(request.path))
    if admission == "serve":
        return await handler(request)
    platform = f"manage.api.{settings.environment}.…"
    if admission == "not_here":
        raise NotFound(
            f"the platform host ({platform}) serves only "
            f"DELETE /{settings.environment}-lof/images/{{tenant}}/{{imagePackId}}"
        )
    if admission == "misdirected":
        raise ApiError(
            f"this is the platform host ({platform}): the image service answers on its own "
            "host and port",
            status=421,
            code="misdirected_request",
        )
    assert_never(admission)


def listener_of(request: web.Request, platform_port: int | None) -> Listener:
    """The listener a request arrived on, by the local port of its connection."""
    if platform_port is None or request.transport is None:
        return "origin"
    local = request.transport.get_extra_info("sockname")
    port = local[1] if isinstance(local, tuple) and len(local) >= 2 else None
    return "platform" if port == platform_port else "origin"


ROUTES: list[web.RouteDef] = [
    web.delete(
        "/{environment:[a-z0-9-]+}-lof/images/{tenant}/{imagePackId}", invalidate_image_pack_cache
    ),
]
