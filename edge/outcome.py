"""What a POP answers: the response plus what the cache did, told in headers.

Every response carries RFC 9211 ``Cache-Status`` (upstream caches' entries first, ours
last), ``Age``, a CloudFront-style ``X-Cache`` and the POP's id in ``X-Edge-Pop`` and
``X-Amz-Cf-Pop``.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from common.errors import ApiError
from edge.rules.cache_status import CacheStatus, append_entry
from edge.rules.partial import Partial
from edge.upstream_connection import Interim

XCache = Literal["Hit", "Miss", "RefreshHit", "Error"]

# Headers a POP sets itself; upstream's copies are dropped before storing.
OWN_HEADERS = frozenset({"cache-status", "x-cache", "x-edge-pop", "x-amz-cf-pop", "age"})
# On what it caches, a POP also says itself which ranges it serves (edge.delivery).
OWN_CACHED_HEADERS = OWN_HEADERS | {"accept-ranges"}


# Per-request values are slotted, not frozen: a frozen dataclass's __init__ costs about
# three times as much, and these are built for every hit (nothing mutates them).
@dataclass(slots=True)
class ViewerRequest:
    method: str
    path: str  # as received, percent-encoded
    query: tuple[tuple[str, str], ...]  # decoded pairs, in order
    raw_query: str
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    debug: bool = False
    # The Host as the viewer sent it (``headers`` may name the distribution instead):
    # what a Location must name to be on the same origin (RFC 9111 §4.4).
    viewer_host: str | None = None

    def who(self) -> dict[str, str]:
        """The viewer's ``Referer`` and ``User-Agent`` for request events (as ``referer`` and
        ``user_agent``; a header the viewer did not send is left out)."""
        out = {}
        for name, value in self.headers:
            field = _LOGGED_HEADERS.get(name.lower())
            if field is not None:
                out[field] = value[:1024]
        return out


_LOGGED_HEADERS = {"referer": "referer", "user-agent": "user_agent"}


@dataclass(slots=True)
class Outcome:
    status: int
    headers: tuple[tuple[str, str], ...]  # end-to-end headers from upstream or the store
    body: bytes
    cache_status: CacheStatus
    upstream_cache_status: str | None
    x_cache: XCache
    age: int | None
    date: str | None = None
    partial: Partial | None = None  # the body holds only these bytes (a 206's)
    interim: tuple[Interim, ...] = ()  # 1xx from upstream, relayed first (RFC 9110 §15.2)
    # The POP chose this representation (stored or fetched for the cache), so it answers
    # the viewer's preconditions and Range on it; not for pass-through or its own errors.
    evaluate_here: bool = True

    def response_headers(self, pop_id: str) -> list[tuple[str, str]]:
        headers = list(self.headers)
        if self.age is not None:
            headers.append(("Age", str(self.age)))
        if self.date is not None:
            headers.append(("Date", self.date))
        headers.append(
            ("Cache-Status", append_entry(self.upstream_cache_status, self.cache_status))
        )
        headers.append(("X-Cache", f"{self.x_cache} from cdnsim"))
        headers.append(("X-Edge-Pop", pop_id))
        headers.append(("X-Amz-Cf-Pop", pop_id))
        return headers


def split_own_headers(
    headers: tuple[tuple[str, str], ...], own: frozenset[str] = OWN_HEADERS
) -> tuple[tuple[tuple[str, str], ...], str | None]:
    """Upstream headers without the ones a POP sets (``own``), and upstream's Cache-Status."""
    kept, statuses = [], []
    for name, value in headers:
        lname = name.lower()
        if lname == "cache-status":
            statuses.append(value)
        elif lname not in own:
            kept.append((name, value))
    return tuple(kept), ", ".join(statuses) or None


def edge_error(
    pop_id: str,
    status: int,
    code: str,
    message: str,
    detail: str,
    *,
    fwd: str | None,
    key: str | None,
) -> Outcome:
    """A response the edge makes itself (origin down, slow, too large), in the JSON error shape."""
    body = json.dumps(ApiError(message, status=status, code=code).body()).encode()
    return Outcome(
        status,
        (("Content-Type", "application/json; charset=utf-8"), ("Cache-Control", "no-store")),
        body,
        CacheStatus(pop_id, fwd=fwd, detail=detail, key=key),
        None,
        "Error",
        None,
        evaluate_here=False,
    )
