"""Admin handlers for publishing regions (``/adminAPI/regions``)."""

from __future__ import annotations

from aiohttp import web

from origin.app_keys import BACKENDS
from origin.auth import authorize
from origin.models.regions import RegionBackend, parse_region
from origin.responses.bodies import admin_json
from origin.tenancy import tenant_of


def _backend(request: web.Request) -> RegionBackend:
    return request.app[BACKENDS].regions


async def create_region(request: web.Request) -> web.Response:
    tenant = tenant_of(request)
    authorize(request, tenant)
    region = parse_region(await admin_json(request))
    stored = await _backend(request).create_region(tenant, region)
    return web.json_response(stored.to_json())


async def update_region(request: web.Request) -> web.Response:
    tenant = tenant_of(request)
    authorize(request, tenant)
    region = parse_region(await admin_json(request), request.match_info["region"])
    stored = await _backend(request).update_region(tenant, region)
    return web.json_response(stored.to_json())


ROUTES: list[web.RouteDef] = [
    web.post("/adminAPI/regions", create_region),
    web.put("/adminAPI/regions/{region}", update_region),
]
