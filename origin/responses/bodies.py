"""Reading admin request bodies within the configured size limit."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from common.bodies import read_json, read_json_object
from origin.app_keys import SETTINGS


async def admin_json(request: web.Request) -> Any:
    """The JSON body (any JSON value); 400 when malformed, 413 over ``max_body_bytes``
    (chunked bodies included)."""
    return await read_json(request, request.app[SETTINGS].max_body_bytes)


async def admin_object(request: web.Request) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    return await read_json_object(request, request.app[SETTINGS].max_body_bytes)
