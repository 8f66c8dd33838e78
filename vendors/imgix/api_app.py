"""The Management API app: sources and purges (:mod:`vendors.imgix.api`), assets
(:mod:`vendors.imgix.assets_api`) and reports (:mod:`vendors.imgix.reports_api`)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable

from aiohttp import web

from common.openapi import document_route
from edge.vendor import publishing
from vendors.imgix import jsonapi as ja
from vendors.imgix.api import Api, add_routes
from vendors.imgix.assets_api import add_asset_routes
from vendors.imgix.backend import ImgixBackend
from vendors.imgix.fetch import OriginGate
from vendors.imgix.openapi import DOCUMENT_PATH, build_document
from vendors.imgix.purges import Purges
from vendors.imgix.reports_api import add_report_routes

DOCUMENT = build_document()


def create_api_app(
    backend: ImgixBackend,
    purges: Purges,
    publish: Callable[[], Awaitable[None]],
    gate: OriginGate,
) -> web.Application:
    """``publish``: called after every change, so that worker processes see new sources;
    ``gate``: the way to origins and buckets, opened and closed by the caller."""
    middlewares = [ja.middleware(backend.ids.new_id), publishing(publish)]
    app = web.Application(middlewares=middlewares, client_max_size=64 * 1024 * 1024)
    api = Api(backend, purges, gate)
    add_routes(app, api)
    add_asset_routes(app, api)
    add_report_routes(app, api)
    app.router.add_routes([document_route(DOCUMENT_PATH, DOCUMENT)])
    return app
