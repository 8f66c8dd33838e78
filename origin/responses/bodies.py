"""Reading admin request bodies within the configured size limit."""

from __future__ import annotations

from typing import Any

from aiohttp import web

from common.errors import PayloadTooLarge, read_json, read_json_object
from origin.keys import SETTINGS


def _check_size(request: web.Request) -> None:
    limit = request.app[SETTINGS].max_body_bytes
    if request.content_length is not None and request.content_length > limit:
        raise PayloadTooLarge(f"JSON bodies are limited to {limit} bytes")


async def admin_json(request: web.Request) -> Any:
    """The JSON body (any JSON value); 400 when malformed, 413 when over the limit."""
    _check_size(request)
    body = await read_json(request)
    return body


async def admin_object(request: web.Request) -> dict[str, Any]:
    """The JSON body, which must be an object."""
    _check_size(request)
    return await read_json_object(request)
