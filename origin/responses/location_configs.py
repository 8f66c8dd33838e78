"""Admin handlers for location configs (``/adminAPI/imageLocationConfig[s]``)."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from common.errors import BadRequest
from origin.app_keys import BACKENDS
from origin.auth import authorize
from origin.models import fields as f
from origin.models.documents import LocationConfig
from origin.models.location_configs import LocationConfigBackend, WriteResult, parse_config_list
from origin.responses.bodies import admin_json, admin_object
from origin.tenancy import tenant_of

INVALIDATED_HEADER = "X-Invalidated-Variants"


def _backend(request: web.Request) -> LocationConfigBackend:
    return request.app[BACKENDS].location_configs


def _admin_tenant(request: web.Request) -> str:
    tenant = tenant_of(request)
    authorize(request, tenant)
    return tenant


def force_flag(request: web.Request) -> bool:
    """``?force=true|false``; absent means false. Anything else is refused, so that a
    typo never silently turns a confirmation into a refusal or the reverse."""
    values = request.query.getall("force", [])
    if not values:
        return False
    if len(values) > 1 or values[0] not in ("true", "false"):
        raise BadRequest("force must be exactly true or false (given once)", field="force")
    return values[0] == "true"


def _written(body: Any, result: WriteResult) -> web.Response:
    return web.json_response(body, headers={INVALIDATED_HEADER: str(result.invalidated_variants)})


async def list_location_configs(request: web.Request) -> web.Response:
    tenant = _admin_tenant(request)
    configs = await _backend(request).list_location_configs(tenant)
    return web.json_response([c.to_json() for c in configs])


async def replace_location_configs(request: web.Request) -> web.Response:
    tenant = _admin_tenant(request)
    force = force_flag(request)
    configs = parse_config_list(await admin_json(request))
    result = await _backend(request).replace_location_configs(tenant, configs, force)
    return _written([c.to_json() for c in result.configs], result)


async def get_location_config(request: web.Request) -> web.Response:
    tenant = _admin_tenant(request)
    config = await _backend(request).get_location_config(tenant, request.match_info["name"])
    return web.json_response(config.to_json())


async def save_location_config(request: web.Request) -> web.Response:
    tenant = _admin_tenant(request)
    force = force_flag(request)
    config = LocationConfig.parse(await admin_json(request), request.match_info["name"])
    result = await _backend(request).save_location_config(tenant, config, force)
    return _written(result.configs[0].to_json(), result)


async def save_location_config_label(request: web.Request) -> web.Response:
    tenant = _admin_tenant(request)
    body = await admin_object(request)
    extra = sorted(set(body) - {"label"})
    if extra:
        raise BadRequest(
            f"only label can be changed here (got {', '.join(extra)}): "
            "use PUT /adminAPI/imageLocationConfig/{name} for the rest",
            field=extra[0],
        )
    if "label" not in body:
        raise BadRequest(
            'the body must be {"label": "..."} (null removes the label)', field="label"
        )
    label = f.label(body)
    result = await _backend(request).save_location_config_label(
        tenant, request.match_info["name"], label
    )
    return _written(result.configs[0].to_json(), result)


ROUTES: list[web.RouteDef] = [
    web.get("/adminAPI/imageLocationConfigs", list_location_configs),
    web.put("/adminAPI/imageLocationConfigs", replace_location_configs),
    web.get("/adminAPI/imageLocationConfig/{name}", get_location_config),
    web.put("/adminAPI/imageLocationConfig/{name}", save_location_config),
    web.put("/adminAPI/imageLocationConfig/{name}/label", save_location_config_label),
]
