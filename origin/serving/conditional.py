"""Validators and conditional answers of image responses: strong ETags, ``If-None-Match``
and ``If-Modified-Since`` (RFC 9110 §8.8, §13.1), ``If-Range`` and byte ranges (§14)."""

from __future__ import annotations

import hashlib
from email.utils import formatdate


def etag_of(body: bytes) -> str:
    """A strong entity tag of the exact bytes (quoted, 128 bits of SHA-256)."""
    return '"' + hashlib.sha256(body).hexdigest()[:32] + '"'


def none_match(if_none_match: str | None, etag: str) -> bool:
    """Whether ``If-None-Match`` matches ``etag`` (RFC 9110 §13.1.2: weak comparison, ``*``
    matches any current representation), i.e. whether to answer 304."""
    if not if_none_match:
        return False
    for candidate in if_none_match.split(","):
        tag = candidate.strip()
        if tag == "*":
            return True
        tag = tag.removeprefix("W/")
        if tag == etag:
            return True
    return False


def not_modified(
    if_none_match: str | None, if_modified_since: float | None, etag: str, modified: float
) -> bool:
    """Whether to answer 304 (RFC 9110 §13.2.2): ``If-None-Match`` when present, else
    ``If-Modified-Since`` (a valid date, already parsed) at or after the last
    modification, compared at the one-second precision of HTTP dates (§13.1.3)."""
    if if_none_match is not None:
        return none_match(if_none_match, etag)
    if if_modified_since is None or not modified:
        return False
    return int(modified) <= if_modified_since


def if_range_allows(if_range: str | None, etag: str, modified: float) -> bool:
    """RFC 9110 §13.1.5: the Range applies when ``If-Range`` is absent, names the current
    (strong) ETag, or is exactly the Last-Modified date."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return value == etag
    return bool(modified) and value == http_date(modified)


def byte_span(start: int | None, stop: int | None, length: int) -> tuple[int, int] | None:
    """A parsed single range (Python slice bounds: a negative start is a suffix, stop is
    exclusive) resolved against ``length`` bytes: (first, last) inclusive, or None when
    it selects nothing (416, RFC 9110 §15.5.17)."""
    first, end, _ = slice(start, stop).indices(length)
    return (first, end - 1) if first < end else None


def http_date(timestamp: float) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``) of epoch seconds."""
    return formatdate(timestamp, usegmt=True)
