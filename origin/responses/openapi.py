"""GET /openapi.json: the contract of every operation."""

from __future__ import annotations

from aiohttp import web

from origin.openapi import build_document

_DOCUMENT = build_document()


async def get_openapi(request: web.Request) -> web.Response:
    return web.json_response(_DOCUMENT)


ROUTES: list[web.RouteDef] = [web.get("/openapi.json", get_openapi)]
