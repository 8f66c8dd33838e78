"""Freshness lifetime and age, RFC 9111 §4.2."""

from __future__ import annotations

from dataclasses import dataclass

from edge.rules.cache_control import (
    HeaderList,
    delta_seconds,
    header_value,
    header_values,
    parse_cache_control,
    parse_http_date,
)

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
    """Collect the age inputs of a response received at ``response_time``."""
    age_header = header_value(headers, "age")
    age = int(age_header) if age_header and age_header.strip().isdigit() else 0
    return AgeInputs(
        request_time, response_time, parse_http_date(header_value(headers, "date")), age
    )


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
    headers: HeaderList, response_time: float, *, shared: bool = True
) -> float | None:
    """RFC 9111 §4.2.1: s-maxage (shared caches), then max-age, then Expires − Date.

    None when the response gives no explicit expiration time. An invalid Expires
    means "already expired" (§5.3).
    """
    cc = parse_cache_control(header_values(headers, "cache-control"))
    if shared and (s_maxage := delta_seconds(cc, "s-maxage")) is not None:
        return float(s_maxage)
    if (max_age := delta_seconds(cc, "max-age")) is not None:
        return float(max_age)
    expires_raw = header_value(headers, "expires")
    if expires_raw is None:
        return None
    expires = parse_http_date(expires_raw)
    if expires is None:
        return 0.0
    date = parse_http_date(header_value(headers, "date"))
    return max(0.0, expires - (date if date is not None else response_time))


def heuristic_lifetime(
    status: int,
    headers: HeaderList,
    response_time: float,
    *,
    fraction: float = 0.1,
    cap: float = 86400.0,
) -> float | None:
    """RFC 9111 §4.2.2: a fraction of the time since Last-Modified, where the RFC allows it.

    Allowed only without explicit expiration, and only for heuristically cacheable
    status codes (RFC 9110 §15.1) or responses marked ``public``. None when not allowed
    or when there is no Last-Modified to base it on.
    """
    cc = parse_cache_control(header_values(headers, "cache-control"))
    if status not in HEURISTICALLY_CACHEABLE and "public" not in cc:
        return None
    last_modified = parse_http_date(header_value(headers, "last-modified"))
    if last_modified is None:
        return None
    date = parse_http_date(header_value(headers, "date"))
    since = (date if date is not None else response_time) - last_modified
    return min(cap, max(0.0, since * fraction))
