"""Which property and network a viewer request belongs to, and the internal path that
carries every Image Manager decision into the POP's cache key:

    /_akamai/{property}/{network}/{policy}/v{version}/w{width}/{formats}{image path}

(``w0``: no ``imwidth`` asked; the largest breakpoint caps the width; ``formats``: the
candidates the best image is chosen from, joined by ``+``, e.g. ``webp+jpeg+png``, so
browsers that take the same formats share one derivative). Pure functions.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, unquote

from vendors.akamai.backend import Network, PropertySettings
from vendors.akamai.policy_validation import FORMATS

INTERNAL_PREFIX = "/_akamai"
_INTERNAL = re.compile(
    r"^/_akamai/(?P<prop>[a-z0-9-]+)/(?P<network>production|staging)/(?P<policy>[^/]+)"
    r"/v(?P<version>[0-9]+)/w(?P<width>[0-9]+)/(?P<formats>[a-z0-9]+(?:\+[a-z0-9]+)*)"
    r"(?P<path>/.*)$"
)


def is_staging_host(host: str) -> bool:
    """Akamai's staging names: a first label ending in ``-staging`` (images-staging.example.com)
    or any label that does (``….imaging-staging.akamaiapis.net``)."""
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    return any(label.endswith("-staging") for label in name.lower().split("."))


def _unstaged_host(host: str) -> str:
    name = host.lower().partition(":")[0]
    first, dot, rest = name.partition(".")
    return first.removesuffix("-staging") + dot + rest


def staging_prefix(prefix: str) -> str:
    """``/akamai/demo`` → ``/akamai-staging/demo``: the loopback stand-in for a -staging host."""
    first, _, rest = prefix[1:].partition("/")
    return f"/{first}-staging" + (f"/{rest}" if rest else "")


def claim(settings: PropertySettings, host: str, path: str) -> tuple[Network, str] | None:
    """(network, image path) when the request is the property's, else None."""
    prefix = settings.path_prefix
    if prefix is not None:
        bases: tuple[tuple[Network, str], ...] = (
            ("production", prefix),
            ("staging", staging_prefix(prefix)),
        )
        for by_path, base in bases:
            if path.startswith(base + "/") and len(path) > len(base) + 1:
                return by_path, path[len(base) :]
        if not settings.hosts:
            return None
    if settings.hosts and _unstaged_host(host) in settings.hosts:
        network: Network = "staging" if is_staging_host(host) else "production"
        image = (
            path[len(prefix) :] if prefix is not None and path.startswith(prefix + "/") else path
        )
        return network, image
    return None


@dataclass(frozen=True)
class Derivative:
    """Everything that makes one derivative: the key's parts."""

    prop: str
    network: Network
    policy_id: str
    version: int
    width: int  # 0: no imwidth given
    formats: tuple[str, ...]  # the candidates, best first on a tie
    image_path: str  # percent-encoded, starts with '/'

    def internal_path(self) -> str:
        policy = quote(self.policy_id, safe="")
        return (
            f"{INTERNAL_PREFIX}/{self.prop}/{self.network}/{policy}/v{self.version}"
            f"/w{self.width}/{'+'.join(self.formats)}{self.image_path}"
        )


def parse_internal(path: str) -> Derivative | None:
    """The derivative a path names; None unless its formats are distinct known names (a
    path reaches the renderer from anywhere: it may not ask for one encode many times)."""
    match = _INTERNAL.match(path)
    if match is None:
        return None
    formats = tuple(match["formats"].split("+"))
    if len(set(formats)) != len(formats) or not set(formats) <= set(FORMATS):
        return None
    return Derivative(
        match["prop"],
        match["network"],  # type: ignore[arg-type]
        unquote(match["policy"]),
        int(match["version"]),
        int(match["width"]),
        formats,
        match["path"],
    )
