"""Validators of image responses: strong ETags, ``If-None-Match`` and HTTP dates (RFC 9110 §8.8, §13.1.2)."""

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


def http_date(timestamp: float) -> str:
    """An IMF-fixdate (``Sun, 06 Nov 1994 08:49:37 GMT``) of epoch seconds."""
    return formatdate(timestamp, usegmt=True)
