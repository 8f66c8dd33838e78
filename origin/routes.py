"""Every route of the origin app, as data."""

from __future__ import annotations

from aiohttp import web

from origin.responses import (
    image_packs,
    location_configs,
    openapi,
    pack_locations,
    platform,
    reference,
    regions,
    serving,
    status,
    uploads,
)

ROUTES: list[web.RouteDef] = [
    *status.ROUTES,
    *openapi.ROUTES,
    *serving.ROUTES,
    *reference.ROUTES,
    *location_configs.ROUTES,
    *regions.ROUTES,
    *image_packs.ROUTES,
    *pack_locations.ROUTES,
    *uploads.ROUTES,
    *platform.ROUTES,
]
