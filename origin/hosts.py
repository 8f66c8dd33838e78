"""Which service a request is for: the image service or the platform management host
(pure rules; spec "Tenants and hosts", seed 000 "API basics").

Seed 000 puts the client and admin APIs on ``{tenant}.image-service.{env}.<domain>`` and
the cache-invalidation API on ``manage.api.{env}.<domain>``. The origin can listen for
the platform on a port of its own; a ``Host`` that names a service decides where the
request goes, and a ``Host`` that names none (an address, ``localhost``) leaves it to the
listener it arrived on:

============  ==================  ==========================================
listener      Host names          answer
============  ==================  ==========================================
platform      the platform / none the invalidation API only; anything else 404
platform      the image service   421 Misdirected Request (RFC 9110 §15.5.20)
origin        the platform        the invalidation API only; anything else 404
origin        the image service   everything, the invalidation path included
origin        none                everything (as before the platform had a port)
============  ==================  ==========================================
"""

from __future__ import annotations

import re
from typing import Literal

Listener = Literal["origin", "platform"]
Service = Literal["image-service", "platform"]
Admission = Literal["serve", "not_here", "misdirected"]

IMAGE_SERVICE_HOST = re.compile(
    r"^(?P<tenant>[a-z0-9][a-z0-9-]{0,62})\.image-service\.(?P<env>[a-z0-9-]+)(\.|$)"
)
PLATFORM_HOST = re.compile(r"^manage\.api\.(?P<env>[a-z0-9-]+)(\.|$)")
# DELETE /{environment}-lof/images/{tenant}/{imagePackId}, whatever the method (a GET there
# is the platform's 405, not the image service's 404).
PLATFORM_PATH = re.compile(r"^/[a-z0-9-]+-lof/images/[^/]+/[^/]+$")


def host_name(host: str | None) -> str:
    """A ``Host`` value without its port, lower case (IPv6 literals keep their brackets)."""
    host = (host or "").strip().lower()
    if host.startswith("["):
        return host.split("]", 1)[0] + "]"
    return host.split(":", 1)[0]


def service_named_by(host: str | None) -> Service | None:
    """The service a ``Host`` value names, None when it names neither."""
    name = host_name(host)
    if PLATFORM_HOST.match(name):
        return "platform"
    if IMAGE_SERVICE_HOST.match(name):
        return "image-service"
    return None


def is_platform_path(path: str) -> bool:
    return bool(PLATFORM_PATH.match(path))


def admit(listener: Listener, named: Service | None, platform_path: bool) -> Admission:
    """What the origin does with a request (the table in the module's docstring)."""
    if listener == "platform":
        if named == "image-service":
            return "misdirected"
        return "serve" if platform_path else "not_here"
    if named == "platform" and not platform_path:
        return "not_here"
    return "serve"
