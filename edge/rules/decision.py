"""What to do with a request given what is stored: RFC 9111 §4, RFC 5861.

The caller matches on the returned case and ends in ``typing.assert_never``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from edge.rules.cache_control import Directives, delta_seconds
from edge.rules.freshness import AgeInputs, current_age


@dataclass(frozen=True)
class Freshness:
    """The freshness facts of one stored response."""

    age_inputs: AgeInputs
    ttl: float
    stale_while_revalidate: float = 0.0
    stale_if_error: float = 0.0
    always_revalidate: bool = False
    no_stale: bool = False

    def age(self, now: float) -> float:
        return current_age(self.age_inputs, now)

    def remaining(self, now: float) -> float:
        """Remaining freshness lifetime (negative once stale): RFC 9211's ``ttl``."""
        return self.ttl - self.age(now)


@dataclass(frozen=True)
class FreshHit:
    """Serve the stored response as it is."""


@dataclass(frozen=True)
class StaleWhileRevalidate:
    """Serve it stale now and refresh it in the background (RFC 5861 §3)."""


@dataclass(frozen=True)
class Revalidate:
    """Ask upstream first (conditionally when validators exist): it is stale, marked
    no-cache, or the request would not accept it (RFC 9211 ``fwd=stale|request``)."""

    reason: Literal["stale", "request"]


@dataclass(frozen=True)
class Miss:
    """Nothing usable stored: fetch (RFC 9211 ``fwd=uri-miss|vary-miss``)."""

    reason: Literal["uri-miss", "vary-miss"]


@dataclass(frozen=True)
class OnlyIfCachedMiss:
    """The request said only-if-cached and nothing usable is stored: 504 (§5.2.1.7)."""


Decision = FreshHit | StaleWhileRevalidate | Revalidate | Miss | OnlyIfCachedMiss


def decide(
    stored: Freshness | None,
    now: float,
    request_cc: Directives,
    *,
    miss_reason: Literal["uri-miss", "vary-miss"],
) -> Decision:
    """Choose how to answer. ``request_cc`` is empty when the profile ignores it.

    - §4.2: a fresh response is served unless it is marked no-cache (§5.2.2.4) or the
      request asks for more: no-cache (§5.2.1.4), max-age (§5.2.1.1), min-fresh (§5.2.1.3).
    - §4.2.4: a stale one is served only if allowed: the request's max-stale (§5.2.1.2)
      or the response's stale-while-revalidate (RFC 5861 §3), never with
      must-revalidate / proxy-revalidate / s-maxage (§5.2.2.2, §5.2.2.8, §5.2.2.10).
    - only-if-cached (§5.2.1.7) turns any forward into a 504.
    """
    decision = _decide(stored, now, request_cc, miss_reason)
    if "only-if-cached" in request_cc and isinstance(decision, (Revalidate, Miss)):
        return OnlyIfCachedMiss()
    return decision


def _decide(
    stored: Freshness | None,
    now: float,
    request_cc: Directives,
    miss_reason: Literal["uri-miss", "vary-miss"],
) -> Decision:
    if stored is None:
        return Miss(miss_reason)
    age = stored.age(now)
    remaining = stored.ttl - age
    if stored.always_revalidate:
        return Revalidate("stale")
    if remaining > 0:
        if "no-cache" in request_cc or not _request_accepts_fresh(request_cc, age, remaining):
            return Revalidate("request")
        return FreshHit()
    staleness = -remaining
    if stored.no_stale:
        return Revalidate("stale")
    if "max-stale" in request_cc and "no-cache" not in request_cc:
        limit = delta_seconds(request_cc, "max-stale")
        if limit is None or staleness <= limit:
            return FreshHit()
    if staleness <= stored.stale_while_revalidate and "no-cache" not in request_cc:
        return StaleWhileRevalidate()
    return Revalidate("stale")


def stale_if_error_allows(stored: Freshness, now: float, request_cc: Directives) -> bool:
    """May a stale response stand in for an upstream error? RFC 5861 §4.

    The window is the response's stale-if-error or the request's, whichever is larger;
    must-revalidate and friends forbid it (RFC 9111 §4.2.4).
    """
    if stored.no_stale:
        return False
    window = max(stored.stale_if_error, float(delta_seconds(request_cc, "stale-if-error") or 0))
    staleness = -stored.remaining(now)
    return staleness <= window


def _request_accepts_fresh(request_cc: Directives, age: float, remaining: float) -> bool:
    max_age = delta_seconds(request_cc, "max-age")
    if max_age is not None and age > max_age:
        return False
    min_fresh = delta_seconds(request_cc, "min-fresh")
    return min_fresh is None or remaining >= min_fresh
