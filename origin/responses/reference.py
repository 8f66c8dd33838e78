"""Public reference data: read-only mirrors of the tenant's location configs and regions.

No authentication: client apps use these to enumerate ``?location=`` and ``?region=``.
"""

from __future__ import annotations

from aiohttp import web

from origin.app_keys import BACKENDS
from origin.tenancy import tenant_of


async def list_client_image_location_configs(request: web.Request) -> web.Response:
    configs = await request.app[BACKENDS].location_configs.list_location_configs(tenant_of(request))
    return web.json_response([c.to_json() for c in configs])


async def list_client_regions(request: web.Request) -> web.Response:
    regions = await request.app[BACKENDS].regions.list_regions(tenant_of(request))
    return web.json_response([r.to_json() for r in regions])


async def get_client_region(request: web.Request) -> web.Response:
    region = await request.app[BACKENDS].regions.get_region(
        tenant_of(request), request.match_info["region"]
    )
    return web.json_response(region.to_json())


ROUTES: list[web.RouteDef] = [
    web.get("/api/v2/imageLocationConfigs", list_client_image_location_configs),
    web.get("/api/v2/regions", list_client_regions),
    web.get("/api/v2/regions/{region}", get_client_region),
]
