"""Which tenant a request is for: from the Host header, else the configured default."""

from __future__ import annotations

import re

from aiohttp import web

from origin.app_keys import SETTINGS

_HOST = re.compile(
    r"^(?P<tenant>[a-z0-9][a-z0-9-]{0,62})\.image-service\.(?P<env>[a-z0-9-]+)(\.|$)"
)


def tenant_of(request: web.Request) -> str:
    """``{tenant}.image-service.{env}.…`` names the tenant; any other host gets the default."""
    host = (request.host or "").split(":")[0].lower()
    match = _HOST.match(host)
    return match.group("tenant") if match else request.app[SETTINGS].default_tenant
