"""Admin handlers for image packs: create, get, full-replace update, list, copy."""

from __future__ import annotations

import re

from aiohttp import web

from common.errors import BadRequest, NotFound
from origin.app_keys import BACKENDS
from origin.auth import authorize
from origin.models import fields as f
from origin.models.image_packs import parse_copy_request
from origin.responses.bodies import admin_object
from origin.tenancy import tenant_of

_OFFSET = re.compile("[0-9]{1,12}")  # up to MAX_OFFSET


def admin_tenant(request: web.Request) -> str:
    """The request's tenant, once the caller is allowed to act on it."""
    tenant = tenant_of(request)
    authorize(request, tenant)
    return tenant


def pack_id_of(request: web.Request) -> str:
    """The ``{id}`` path segment; anything but a pack id cannot name a pack (404)."""
    pack_id = request.match_info["id"]
    if not f.ID_PATTERN.fullmatch(pack_id):
        raise NotFound(f"no image pack {pack_id!r}", code="pack_not_found")
    return pack_id


def location_of(request: web.Request) -> str:
    """The ``{imageLocationName}`` path segment; a name outside the safe alphabet cannot
    name a location (404), as a malformed pack id cannot name a pack."""
    location = request.match_info["imageLocationName"]
    if not f.is_name(location):
        raise NotFound(f"no image location {location!r}", code="location_not_found")
    return location


async def create_image_pack(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    body = await admin_object(request) if request.body_exists else {}
    pack = await request.app[BACKENDS].packs.create_image_pack(tenant, body)
    return web.json_response(pack.to_json())


async def get_image_pack(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack = await request.app[BACKENDS].packs.get_image_pack(tenant, pack_id_of(request))
    return web.json_response(pack.to_json())


async def update_image_pack(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id = pack_id_of(request)
    body = await admin_object(request)
    pack = await request.app[BACKENDS].packs.update_image_pack(tenant, pack_id, body)
    return web.json_response(pack.to_json())


async def list_image_packs(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    raw = request.query.get("offset", "0")
    if not _OFFSET.fullmatch(raw):
        raise BadRequest("offset must be a non-negative integer", field="offset")
    page = await request.app[BACKENDS].packs.list_image_packs(tenant, int(raw))
    return web.json_response(page)


async def copy_image_packs(request: web.Request) -> web.Response:
    authorize(request)  # credentials first: 401 before anything about the body
    source, target, pack_ids = parse_copy_request(await admin_object(request))
    authorize(request, source, target)
    accepted = await request.app[BACKENDS].packs.copy_image_packs(source, target, pack_ids)
    return web.json_response(accepted, status=202)


ROUTES: list[web.RouteDef] = [
    web.post("/adminAPI/imagePacks", create_image_pack),
    web.get("/adminAPI/imagePacks", list_image_packs, allow_head=False),
    web.get("/adminAPI/imagePack/{id}", get_image_pack, allow_head=False),
    web.put("/adminAPI/imagePack/{id}", update_image_pack),
    web.put("/adminAPI/copyImagePacks", copy_image_packs),
]
