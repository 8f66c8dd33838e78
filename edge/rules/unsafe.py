"""Invalidation by unsafe methods, RFC 9111 §4.4.

A cache that forwards a request whose method is unsafe (RFC 9110 §9.2.1), or whose
safety it does not know (``M-SEARCH``), and sees a non-error answer (2xx or 3xx), must
invalidate what it stores for the target URI; it also invalidates the URIs of the
answer's ``Location`` and ``Content-Location`` when they have the target's origin
(scheme and authority) — never another host's (§4.4, last paragraph).
"""

from __future__ import annotations

from collections.abc import Collection
from urllib.parse import urljoin, urlsplit

from edge.rules.cache_control import HeaderList, header_value

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})  # RFC 9110 §9.2.1

Target = tuple[str, str]  # path and query string, as sent (percent-encoded)


def invalidated_targets(
    method: str,
    status: int,
    path: str,
    query: str,
    authorities: Collection[str],
    response_headers: HeaderList,
) -> tuple[Target, ...]:
    """The URIs to invalidate after a response of ``status`` to ``method`` on
    ``path?query``; empty for safe methods and error answers.

    ``authorities``: the host[:port] forms the request's own origin goes by (what the
    viewer sent as Host, and the name the edge knows it by), lower-cased.
    """
    if method in SAFE_METHODS or not 200 <= status < 400:
        return ()
    targets: list[Target] = [(path, query)]
    base = f"http://{next(iter(authorities), 'localhost')}{path}" + (f"?{query}" if query else "")
    for field in ("location", "content-location"):
        value = header_value(response_headers, field)
        if not value:
            continue
        target = _same_origin_target(base, value.strip(), authorities)
        if target is not None and target not in targets:
            targets.append(target)
    return tuple(targets)


def _same_origin_target(base: str, reference: str, authorities: Collection[str]) -> Target | None:
    try:
        resolved = urlsplit(urljoin(base, reference))
    except ValueError:
        return None  # not a URI reference: nothing to invalidate
    if resolved.scheme != "http" or resolved.netloc.lower() not in authorities:
        return None
    return resolved.path or "/", resolved.query
