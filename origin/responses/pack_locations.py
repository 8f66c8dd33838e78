"""Admin handlers for one pack's location settings (overrides, region overrides, removal)."""

from __future__ import annotations

from aiohttp import web

from origin.app_keys import BACKENDS
from origin.responses.bodies import admin_object
from origin.responses.image_packs import admin_tenant, location_of, pack_id_of


async def get_pack_location(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id, location = pack_id_of(request), location_of(request)
    found = await request.app[BACKENDS].packs.get_pack_location(tenant, pack_id, location)
    return web.json_response(found.to_json())


async def update_pack_location(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id, location = pack_id_of(request), location_of(request)
    body = await admin_object(request)
    pack = await request.app[BACKENDS].packs.update_pack_location(tenant, pack_id, location, body)
    return web.json_response(pack.to_json())


async def update_pack_location_region(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id, location = pack_id_of(request), location_of(request)
    # The region names configuration, not the resource: an unknown one is a 400 (checked
    # against the regions table by the backend, whatever its spelling).
    region = request.match_info["region"]
    body = await admin_object(request)
    pack = await request.app[BACKENDS].packs.update_pack_location_region(
        tenant, pack_id, location, region, body
    )
    return web.json_response(pack.to_json())


async def delete_image_location(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id = pack_id_of(request)
    body = await admin_object(request)
    pack = await request.app[BACKENDS].packs.delete_image_location(tenant, pack_id, body)
    return web.json_response(pack.to_json())


# A location or region segment never takes the name of a fixed route beside it (the names
# are reserved: fields.RESERVED_NAMES), so each URL has one resource and 405s say its Allow.
_LOCATION = "/adminAPI/imagePack/{id}/{imageLocationName:(?!deleteImageLocation$)[^/]+}"
_REGION = "{region:(?!(?:upload|fetchImage)$)[^/]+}"
ROUTES: list[web.RouteDef] = [
    web.post("/adminAPI/imagePack/{id}/deleteImageLocation", delete_image_location),
    web.get(_LOCATION, get_pack_location, allow_head=False),
    web.put(_LOCATION, update_pack_location),
    web.put(f"{_LOCATION}/{_REGION}", update_pack_location_region),
]
