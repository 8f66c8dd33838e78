"""GET /openapi.json: the contract of every operation."""

from __future__ import annotations

from aiohttp import web

from common.openapi import document_route
from origin.openapi import build_document

ROUTES: list[web.RouteDef] = [document_route("/openapi.json", build_document())]
