"""Which tenant a request is for: from the Host header, else the configured default."""

from __future__ import annotations

from aiohttp import web

from origin.app_keys import SETTINGS
from origin.hosts import IMAGE_SERVICE_HOST, host_name


def tenant_of(request: web.Request) -> str:
    """``{tenant}.image-service.{env}.…`` names the tenant; any other host gets the default."""
    match = IMAGE_SERVICE_HOST.match(host_name(request.host))
    return match.group("tenant") if match else request.app[SETTINGS].default_tenant
