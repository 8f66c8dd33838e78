"""How long the edge keeps what a source serves: imgix's cache TTL behaviours, as the
``Cache-Control`` the rendering service sends to the POPs (pure rules).

- ``respect_origin``: the origin's lifetime (``s-maxage``, ``max-age``, or ``Expires``
  minus ``Date``, RFC 9111 §4.2.1); ``cache_ttl_value`` when the origin says nothing;
  nothing cached when it says ``no-store``/``no-cache``/``private`` or a zero lifetime.
- ``override_origin``: ``cache_ttl_value``, whatever the origin says.
- ``enforce_minimum``: the origin's lifetime, but never less than ``cache_ttl_value``.
- errors (and the fallback images served for them): ``cache_ttl_error``.

The edge's policy for rendered images has min TTL 0 and max TTL one year, so under both
the ``cloudfront`` and the ``rfc9111`` profile the ``max-age`` sent here is the lifetime.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from email.utils import parsedate_to_datetime

NO_STORE = "no-store"
_REFUSALS = ("no-store", "no-cache", "private")


def origin_lifetime(headers: Sequence[tuple[str, str]]) -> float | None:
    """The origin's explicit freshness lifetime in seconds; 0 for a refusal; None if silent."""
    lower = [(k.lower(), v) for k, v in headers]
    directives: dict[str, str | None] = {}
    for name, text in lower:
        if name == "cache-control":
            for part in text.split(","):
                key, _, arg = part.strip().partition("=")
                directives.setdefault(key.lower(), arg.strip('"') or None)
    if any(d in directives for d in _REFUSALS):
        return 0.0
    for directive in ("s-maxage", "max-age"):
        seconds = directives.get(directive)
        if seconds is not None and seconds.isdigit():
            return float(seconds)
    expires, date = _header(lower, "expires"), _header(lower, "date")
    if expires is not None:
        try:
            end = parsedate_to_datetime(expires).timestamp()
            start = parsedate_to_datetime(date).timestamp() if date else None
        except (TypeError, ValueError):
            return 0.0  # an invalid Expires means already expired (RFC 9111 §5.3)
        return max(0.0, end - start) if start is not None else None
    return None


def _header(headers: Sequence[tuple[str, str]], name: str) -> str | None:
    return next((v for k, v in headers if k == name), None)


def image_lifetime(deployment: Mapping[str, object], origin: float | None) -> int:
    """Seconds a rendered image may be kept under the deployment's TTL behaviour (0: not
    at all)."""
    behavior = deployment["cache_ttl_behavior"]
    value = int(deployment["cache_ttl_value"])  # type: ignore[call-overload]
    if behavior == "override_origin":
        return value
    if behavior == "enforce_minimum":
        return max(value, int(origin or 0))
    if origin is None:
        return value
    return max(0, int(origin))


def image_cache_control(deployment: Mapping[str, object], origin: float | None) -> str:
    """``Cache-Control`` for a rendered image under the deployment's TTL behaviour."""
    ttl = image_lifetime(deployment, origin)
    return f"public, max-age={ttl}" if ttl > 0 else NO_STORE


def error_cache_control(deployment: Mapping[str, object]) -> str:
    """``Cache-Control`` for an error, or for the fallback image served instead of one."""
    return f"public, max-age={int(deployment['cache_ttl_error'])}"  # type: ignore[call-overload]
