"""Which source and image a URL names, signatures, and the internal path (pure rules).

Viewers reach a source as ``{subdomain}.imgix.localhost`` (standing for
``{subdomain}.imgix.net``), through one of its custom domains (by Host header), or on any
POP address under the path prefix ``/imgix/{subdomain}/…``. The POP caches the canonical
internal request ``/_imgix/{source_id}/{image path}?{parameters}``.
"""

from __future__ import annotations

import hashlib
import hmac
from urllib.parse import urlsplit

INTERNAL_PREFIX = "/_imgix/"
PATH_PREFIX = "/imgix/"
LOCAL_SUFFIX = ".imgix.localhost"
PUBLIC_SUFFIX = ".imgix.net"


def host_key(host: str) -> str:
    """A Host header (or URL host) as sources know it: lower case, no port, ``.imgix.net``."""
    name = host.strip().lower()
    if name.startswith("["):
        return name
    name = name.rsplit(":", 1)[0] if ":" in name else name
    name = name.rstrip(".")
    if name.endswith(LOCAL_SUFFIX):
        name = name[: -len(LOCAL_SUFFIX)] + PUBLIC_SUFFIX
    return name


def delivery_target(host: str, path: str) -> tuple[str, str] | None:
    """``(host key, image path)`` for a viewer request, or None when no imgix name is in it
    (a custom domain is then tried by the caller with the plain host)."""
    if path.startswith(PATH_PREFIX):
        sub, _, rest = path[len(PATH_PREFIX) :].partition("/")
        if sub:
            return f"{sub.lower()}{PUBLIC_SUFFIX}", "/" + rest
        return None
    key = host_key(host)
    return (key, path) if key.endswith(PUBLIC_SUFFIX) else None


def url_target(url: str) -> tuple[str, str] | None:
    """``(host key, image path)`` for an absolute URL (a purge, a mark), or None."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        return None
    found = delivery_target(parts.netloc, parts.path or "/")
    return found or (host_key(parts.netloc), parts.path or "/")


def unsigned_query(raw_query: str) -> str:
    """The raw query without its ``s=`` signature, as it was signed."""
    return "&".join(p for p in raw_query.split("&") if p and not p.startswith("s="))


def signature(token: str, path: str, raw_query: str) -> str:
    """imgix's URL signature: MD5 of token, path and (``?`` + query when there is one)."""
    query = unsigned_query(raw_query)
    message = token + path + (f"?{query}" if query else "")
    return hashlib.md5(message.encode(), usedforsecurity=False).hexdigest()


def signature_ok(token: str, path: str, raw_query: str, given: str | None) -> bool:
    return given is not None and hmac.compare_digest(
        signature(token, path, raw_query), given.lower()
    )


def internal_path(source_id: str, image_path: str) -> str:
    return f"{INTERNAL_PREFIX}{source_id}{image_path if image_path.startswith('/') else '/' + image_path}"


def split_internal(path: str) -> tuple[str, str] | None:
    """``(source id, image path)`` of an internal path."""
    if not path.startswith(INTERNAL_PREFIX):
        return None
    source_id, _, rest = path[len(INTERNAL_PREFIX) :].partition("/")
    return (source_id, "/" + rest) if source_id else None


def purge_paths(source_id: str, image_path: str) -> list[str]:
    """Invalidation paths covering every derivative (all query strings) of one image."""
    base = internal_path(source_id, image_path)
    return [base, base + "?*"]
