"""The platform cache-invalidation API: DELETE /{environment}-lof/images/{tenant}/{imagePackId}
drops a pack's S3 variants and its edge paths at once (no waiting for the aggregator)."""

from __future__ import annotations

from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from common.errors import NotFound, ServiceUnavailable
from origin.aggregator.invalidator import EdgeBusy
from origin.app_keys import IDS, INVALIDATOR, SETTINGS, STORAGE
from origin.auth import authorize
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


ROUTES: list[web.RouteDef] = [
    web.delete(
        "/{environment:[a-z0-9-]+}-lof/images/{tenant}/{imagePackId}", invalidate_image_pack_cache
    ),
]
