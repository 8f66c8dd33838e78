"""What a POP sends upstream and how a 304 refreshes what it stored."""

from __future__ import annotations

import ipaddress
from functools import lru_cache

from yarl import URL

from edge.config import CachePolicy
from edge.rules.cache_control import HeaderList, header_value
from edge.rules.connection import end_to_end, nominated

# The client's own conditionals and ranges are answered by the POP, not forwarded:
# upstream gets the POP's validators instead.
_CLIENT_CONDITIONALS = frozenset(
    {"if-none-match", "if-modified-since", "if-match", "if-unmodified-since", "if-range", "range"}
)
# RFC 9111 §3.2 lets caches keep these from the stored response when a 304 arrives.
_KEEP_ON_304 = frozenset(
    {"content-length", "content-encoding", "content-range", "transfer-encoding"}
)
_KEEP_ON_COMBINE = frozenset({"content-length", "content-range"})


@lru_cache(maxsize=1024)
def distribution_host(host: str | None, distribution_id: str) -> str | None:
    """The Host a viewer's request counts as having. Viewers of a real CDN name the
    distribution (``d111111abcdef8.cloudfront.net``), the same at every POP; here each
    POP listens on its own loopback port, so a Host that is an IP address (the POP's
    own) stands for the distribution's name. Real names pass unchanged."""
    if not host:
        return host
    name = host.rsplit(":", 1)[0] if not host.endswith("]") else host
    name = name.strip("[]")
    try:
        ipaddress.ip_address(name)
    except ValueError:
        return host
    return f"{distribution_id.lower()}.edge.localhost"


def as_distribution(
    headers: tuple[tuple[str, str], ...], raw_host: str | None, distribution_id: str
) -> tuple[tuple[str, str], ...]:
    """A viewer's header fields with its ``Host`` (``raw_host``) as the distribution's name
    when it stands for it (see :func:`distribution_host`), else as they came."""
    host = distribution_host(raw_host, distribution_id)
    if host == raw_host:
        return headers
    return tuple((k, host if k.lower() == "host" and host else v) for k, v in headers)


def upstream_url(base: str, path: str, query: str) -> URL:
    """``base`` plus the request's (already encoded) path and query, not re-encoded."""
    text = base.rstrip("/") + path + (f"?{query}" if query else "")
    return URL(text, encoded=True)


def cached_request_headers(
    headers: HeaderList,
    policy: CachePolicy,
    *,
    forward_cache_control: bool,
    forward_authorization: bool = False,
    validators: HeaderList = (),
) -> list[tuple[str, str]]:
    """Headers for a cacheable request: Host and cookies only when the policy puts them in
    the key (CloudFront forwards what the cache key holds), Authorization too unless the
    profile forwards it always (RFC 9111 §3.5), never the client's conditionals or Range,
    nor fields about the connection (RFC 9110 §7.6.1); then the POP's own validators and
    Range when it asks for them (``validators``)."""
    in_key = {name.lower() for name in policy.headers}
    drop = nominated(headers)
    out = []
    for name, value in headers:
        lname = name.lower()
        if lname in drop or lname in _CLIENT_CONDITIONALS:
            continue
        if lname == "host" and lname not in in_key:
            continue
        if lname == "authorization" and not (forward_authorization or lname in in_key):
            continue
        if lname == "cookie" and policy.cookies == "none":
            continue
        if lname in ("cache-control", "pragma") and not forward_cache_control:
            continue
        out.append((name, value))
    out.extend(validators)
    return out


def passthrough_headers(headers: HeaderList) -> list[tuple[str, str]]:
    """Headers for an uncached request: everything end-to-end (RFC 9110 §7.6.1), Host included."""
    return list(end_to_end(headers))


def validators_of(stored: HeaderList) -> list[tuple[str, str]]:
    """Conditional request fields from a stored response (RFC 9111 §4.3.1)."""
    out = []
    if (etag := header_value(stored, "etag")) is not None:
        out.append(("If-None-Match", etag))
    if (modified := header_value(stored, "last-modified")) is not None:
        out.append(("If-Modified-Since", modified))
    return out


def merge_fields(
    stored: HeaderList, fresh: HeaderList, *, on_304: bool = False
) -> tuple[tuple[str, str], ...]:
    """A stored response's fields updated by a newer response's (RFC 9111 §3.2): every
    field the new one has replaces all stored instances of it, the others are kept.

    From a 304 (§4.3.4) the fields describing the stored body are not taken; from a
    206 being combined (§3.4) only its Content-Range is not.
    """
    skip = _KEEP_ON_304 if on_304 else _KEEP_ON_COMBINE
    replaced = {name.lower() for name, _ in fresh if name.lower() not in skip}
    kept = [(k, v) for k, v in stored if k.lower() not in replaced]
    return tuple(kept + [(k, v) for k, v in fresh if k.lower() in replaced])
