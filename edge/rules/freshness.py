"""Freshness lifetime and age, RFC 9111 §4.2."""

from __future__ import annotations

from dataclasses import dataclass

from edge.rules.cache_control import (
    MAX_DELTA,
    Directives,
    HeaderList,
    delta_seconds,
    header_value,
    header_values,
    parse_cache_control,
)
from edge.rules.http_date import parse_http_date

# RFC 9110 §15.1: status codes that are heuristically cacheable by default.
HEURISTICALLY_CACHEABLE = frozenset({200, 203, 204, 206, 300, 301, 308, 404, 405, 410, 414, 501})


@dataclass(frozen=True)
class AgeInputs:
    """What RFC 9111 §4.2.3 needs about one stored response."""

    request_time: float  # when the request that produced it was sent
    response_time: float  # when the response arrived
    date_value: float | None  # its Date header
    age_value: float  # its Age header (0 when absent)


def age_inputs(headers: HeaderList, request_time: float, response_time: float) -> AgeInputs:
    """Collect the age inputs of a response received at ``response_time``.

    An invalid ``Age`` counts as 0 here; :func:`age_is_valid` says the response must
    then be treated as stale (§5.1)."""
    age = age_value(headers) or 0
    date = parse_http_date(header_value(headers, "date"), response_time)
    return AgeInputs(request_time, response_time, date, age)


def age_value(headers: HeaderList) -> int | None:
    """The ``Age`` field (RFC 9111 §5.1): 0 when absent, None when invalid.

    A list-based value (``7200, 0`` or two field lines) uses its first member; that
    member must be a non-negative integer (digits only: not ``-5``, ``7.5`` or ``abc``).
    Values too large to represent are 2^31 (§1.2.2).
    """
    values = header_values(headers, "age")
    if not values:
        return 0
    first = values[0].split(",", 1)[0].strip(" \t")
    if not first.isascii() or not first.isdigit():
        return None
    return min(int(first), MAX_DELTA)


def age_is_valid(headers: HeaderList) -> bool:
    """§5.1: a cache SHOULD ignore a response whose Age is invalid: we store it stale."""
    return age_value(headers) is not None


def current_age(inputs: AgeInputs, now: float) -> float:
    """RFC 9111 §4.2.3: corrected initial age plus resident time, never negative."""
    date_value = inputs.date_value if inputs.date_value is not None else inputs.response_time
    apparent_age = max(0.0, inputs.response_time - date_value)
    response_delay = inputs.response_time - inputs.request_time
    corrected_age_value = inputs.age_value + response_delay
    corrected_initial_age = max(apparent_age, corrected_age_value)
    resident_time = now - inputs.response_time
    return max(0.0, corrected_initial_age + resident_time)


def explicit_lifetime(
    headers: HeaderList,
    response_time: float,
    *,
    shared: bool = True,
    directives: Directives | None = None,
) -> float | None:
    """RFC 9111 §4.2.1: s-maxage (shared caches), then max-age, then Expires − Date.

    None when the response gives no explicit expiration time. ``directives``: the
    response's governing directives (RFC 9213 targeted ones), else its Cache-Control.
    An Expires that is not exactly one valid HTTP-date (RFC 9110 §5.6.7), or comes in
    several field lines, means "already expired" (§5.3).
    """
    cc = directives if directives is not None else _cache_control(headers)
    if shared and (s_maxage := delta_seconds(cc, "s-maxage")) is not None:
        return float(s_maxage)
    if (max_age := delta_seconds(cc, "max-age")) is not None:
        return float(max_age)
    expires_lines = header_values(headers, "expires")
    if not expires_lines:
        return None
    expires = parse_http_date(expires_lines[0], response_time)
    if expires is None or len(expires_lines) > 1:
        return 0.0
    date = parse_http_date(header_value(headers, "date"), response_time)
    return max(0.0, expires - (date if date is not None else response_time))


def heuristic_lifetime(
    status: int,
    headers: HeaderList,
    response_time: float,
    *,
    fraction: float = 0.1,
    cap: float = 86400.0,
    directives: Directives | None = None,
) -> float | None:
    """RFC 9111 §4.2.2: a fraction of the time since Last-Modified, where the RFC allows it.

    Allowed only without explicit expiration, and only for heuristically cacheable
    status codes (RFC 9110 §15.1) or responses marked ``public``. None when not allowed
    or when there is no Last-Modified to base it on.
    """
    cc = directives if directives is not None else _cache_control(headers)
    if status not in HEURISTICALLY_CACHEABLE and "public" not in cc:
        return None
    last_modified = parse_http_date(header_value(headers, "last-modified"), response_time)
    if last_modified is None:
        return None
    date = parse_http_date(header_value(headers, "date"), response_time)
    since = (date if date is not None else response_time) - last_modified
    return min(cap, max(0.0, since * fraction))


def _cache_control(headers: HeaderList) -> Directives:
    return parse_cache_control(header_values(headers, "cache-control"))
