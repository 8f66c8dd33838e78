"""Admin handlers for originals: multipart upload, fetch from a URL, download."""

from __future__ import annotations

from aiohttp import web

from common.bodies import read_form_file
from common.errors import BadRequest
from origin.app_keys import BACKENDS, HTTP, SETTINGS
from origin.responses.image_packs import admin_tenant, location_of, pack_id_of

FILE_FIELD = "file"
# Room for the multipart framing (boundaries, part headers) around the file itself.
MULTIPART_OVERHEAD = 64 * 1024


def region_of(request: web.Request) -> str | None:
    """``?region=``; whether it exists is the backend's check (400 when unknown)."""
    region = request.query.get("region")
    if region is not None and not region:
        raise BadRequest("region must not be empty", field="region")
    return region


async def read_upload(request: web.Request) -> bytes:
    """The bytes of the multipart field ``file``, within ``max_upload_bytes`` (413 beyond:
    by Content-Length before reading, and counted while reading)."""
    limit = request.app[SETTINGS].max_upload_bytes
    return await read_form_file(request, FILE_FIELD, limit, MULTIPART_OVERHEAD)


async def upload(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id, location, region = pack_id_of(request), location_of(request), region_of(request)
    data = await read_upload(request)
    pack = await request.app[BACKENDS].originals.upload(tenant, pack_id, location, region, data)
    return web.json_response(pack.to_json())


async def fetch_image(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    pack_id, location, region = pack_id_of(request), location_of(request), region_of(request)
    url = request.query.get("imageUrl")
    if not url:
        raise BadRequest("the imageUrl query parameter is required", field="imageUrl")
    backend = request.app[BACKENDS].originals
    pack = await backend.fetch_image(tenant, pack_id, location, region, url, request.app[HTTP])
    return web.json_response(pack.to_json())


async def get_image_data(request: web.Request) -> web.Response:
    tenant = admin_tenant(request)
    blob = await request.app[BACKENDS].originals.get_image_data(
        tenant, request.match_info["imageId"]
    )
    return web.Response(body=blob.body, content_type=blob.content_type)


ROUTES: list[web.RouteDef] = [
    web.post("/adminAPI/imagePack/{id}/{imageLocationName}/upload", upload),
    web.post("/adminAPI/imagePack/{id}/{imageLocationName}/fetchImage", fetch_image),
    web.get("/adminAPI/image/{imageId}", get_image_data, allow_head=False),
]
