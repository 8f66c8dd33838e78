"""May a shared cache store this response at all? RFC 9111 §3."""

from __future__ import annotations

from edge.rules.cache_control import Directives
from edge.rules.freshness import HEURISTICALLY_CACHEABLE

CACHEABLE_METHODS = frozenset({"GET", "HEAD"})


def refusal(
    method: str,
    status: int,
    request_cc: Directives,
    response_cc: Directives,
    *,
    has_authorization: bool,
    has_explicit_expiration: bool,
    vary_star: bool,
    partial: bool = False,
    ranged: bool = False,
) -> str | None:
    """Why a shared cache must not store the response (RFC 9111 §3), or None if it may.

    - the method must be cacheable (we only cache GET; HEAD is answered from it);
    - the status must be final and not 304; a 206 only when ``partial`` (its
      Content-Range names one span of a known length: §3.3 lets a cache store it and
      §3.4 combine it with others); a request that asked upstream for a range
      (``ranged``) stores only a 200 or a 206, never, say, a 416 under the URI's key;
    - no ``no-store`` in the request (§5.2.1.5) or the response (§5.2.2.5);
    - no unqualified ``private`` in the response (§5.2.2.7), this being a shared cache
      (a qualified ``private="field"`` only keeps that field out of the store);
    - a request with Authorization only with must-revalidate, public or s-maxage (§3.5);
    - some reason to keep it: explicit expiration, ``public``, or a heuristically
      cacheable status (§3, last bullet);
    - ``Vary: *`` never matches a later request (§4.1), so storing it is pointless.
    """
    if method not in CACHEABLE_METHODS:
        return "method"
    if status < 200 or status == 304 or (status == 206 and not partial):
        return "status"
    if ranged and status not in (200, 206):
        return "range-status"
    if "no-store" in request_cc:
        return "request-no-store"
    if "no-store" in response_cc:
        return "no-store"
    if "private" in response_cc and response_cc["private"] is None:
        return "private"
    if has_authorization and not ({"must-revalidate", "public", "s-maxage"} & response_cc.keys()):
        return "authorization"
    if vary_star:
        return "vary-star"
    if not (
        has_explicit_expiration or "public" in response_cc or status in HEURISTICALLY_CACHEABLE
    ):
        return "no-freshness"
    return None
