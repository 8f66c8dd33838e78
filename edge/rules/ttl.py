"""How long a response is kept and served, per profile.

- ``rfc9111``: a strict shared cache (RFC 9111 §3, §4.2, §5.2.2; RFC 5861).
- ``cloudfront``: CloudFront's documented behaviour ("Manage how long content stays
  in the cache"): explicit max-age/s-maxage/Expires clamped to the policy's min and
  max TTL, the default TTL without directives, no-cache/no-store/private honoured only
  while the min TTL is 0, 4xx/5xx errors cached 10 s unless the origin says otherwise,
  307/308 only with Cache-Control. Request Cache-Control is not honoured.

Both store a single-part 206 as partial content (RFC 9111 §3.3) and, when the request
went upstream with a Range, nothing but a 200 or a 206. The directives that govern are
those of the policy's first valid targeted field (RFC 9213, e.g. ``CDN-Cache-Control``),
else ``Cache-Control``.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.config import CachePolicy, Profile
from edge.rules.cache_control import (
    Directives,
    HeaderList,
    delta_seconds,
    header_value,
    header_values,
)
from edge.rules.freshness import age_is_valid, explicit_lifetime, heuristic_lifetime
from edge.rules.ranges import parse_content_range
from edge.rules.storable import refusal
from edge.rules.targeted import response_directives

# "HTTP 4xx and 5xx status codes that CloudFront caches".
CLOUDFRONT_ERRORS = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})
_NO_CACHE = ("no-cache", "no-store", "private")


@dataclass(frozen=True)
class StoragePlan:
    """What to do with a response: ``refused`` names why it is not stored."""

    refused: str | None = None
    ttl: float = 0.0  # freshness lifetime
    stale_while_revalidate: float = 0.0  # RFC 5861 §3
    stale_if_error: float = 0.0  # RFC 5861 §4
    always_revalidate: bool = False  # RFC 9111 §5.2.2.4 no-cache
    no_stale: bool = False  # must-revalidate, proxy-revalidate, s-maxage (§5.2.2.2, .8, .10)
    omit_fields: tuple[str, ...] = ()  # qualified no-cache / private: never stored (§5.2.2.4, .7)


@dataclass(frozen=True)
class ResponseFacts:
    method: str
    status: int
    headers: HeaderList
    response_time: float
    request_cc: Directives
    has_authorization: bool = False
    targeted: tuple[str, ...] = ()  # RFC 9213 field names this cache honours, in order
    ranged: bool = False  # the request went upstream with a Range


@dataclass(frozen=True)
class Heuristics:
    error_ttl: float = 10.0
    fraction: float = 0.1
    cap: float = 86400.0


def plan_storage(
    profile: Profile, policy: CachePolicy, facts: ResponseFacts, tuning: Heuristics
) -> StoragePlan:
    """The storage plan for a response under ``profile``; see the module docstring."""
    if profile == "cloudfront":
        plan = _cloudfront(policy, facts, tuning)
    else:
        plan = _rfc9111(facts, tuning)
    if plan.refused is None and plan.ttl <= 0 and not _has_validator(facts.headers):
        # Stale from the start and nothing to revalidate with: storing it helps nobody.
        return StoragePlan(refused="zero-ttl")
    return plan


def _rfc9111(facts: ResponseFacts, tuning: Heuristics) -> StoragePlan:
    cc = response_directives(facts.headers, facts.targeted)
    explicit = explicit_lifetime(facts.headers, facts.response_time, directives=cc)
    reason = refusal(
        facts.method,
        facts.status,
        facts.request_cc,
        cc,
        has_authorization=facts.has_authorization,
        has_explicit_expiration=explicit is not None,
        vary_star=_vary_star(facts.headers),
        partial=_single_part(facts),
        ranged=facts.ranged,
    )
    if reason is not None:
        return StoragePlan(refused=reason)
    ttl = explicit
    if ttl is None:
        ttl = heuristic_lifetime(
            facts.status,
            facts.headers,
            facts.response_time,
            fraction=tuning.fraction,
            cap=tuning.cap,
            directives=cc,
        )
    no_stale = bool({"must-revalidate", "proxy-revalidate", "s-maxage"} & cc.keys())
    if not age_is_valid(facts.headers):
        ttl, no_stale = 0.0, True  # RFC 9111 §5.1: a response with an invalid Age is stale
    return StoragePlan(
        ttl=ttl or 0.0,
        stale_while_revalidate=0.0
        if no_stale
        else float(delta_seconds(cc, "stale-while-revalidate") or 0),
        stale_if_error=0.0 if no_stale else float(delta_seconds(cc, "stale-if-error") or 0),
        always_revalidate="no-cache" in cc and cc["no-cache"] is None,
        no_stale=no_stale,
        omit_fields=_qualified_fields(cc),
    )


# How long CloudFront serves an expired object for a failing origin: until it is evicted.
CLOUDFRONT_STALE_ON_ERROR = 10 * 365 * 86400.0


def _cloudfront(policy: CachePolicy, facts: ResponseFacts, tuning: Heuristics) -> StoragePlan:
    if facts.method not in ("GET", "HEAD"):
        return StoragePlan(refused="method")
    status = facts.status
    cc = response_directives(facts.headers, facts.targeted)
    if status < 200 or status == 304 or (status >= 400 and status not in CLOUDFRONT_ERRORS):
        return StoragePlan(refused="status")
    if status == 206 and not _single_part(facts):
        return StoragePlan(refused="status")
    if facts.ranged and status not in (200, 206):
        return StoragePlan(refused="range-status")
    if status in (307, 308) and not cc:
        return StoragePlan(refused="status")
    if _vary_star(facts.headers):
        return StoragePlan(refused="vary-star")
    explicit = explicit_lifetime(facts.headers, facts.response_time, directives=cc)
    if any(d in cc for d in _NO_CACHE):
        if policy.min_ttl <= 0:
            return StoragePlan(refused=next(d for d in _NO_CACHE if d in cc))
        ttl = policy.min_ttl  # the documented min-TTL override
    elif status in CLOUDFRONT_ERRORS:
        ttl = explicit if explicit is not None else tuning.error_ttl
    elif explicit is not None:
        ttl = min(policy.max_ttl, max(policy.min_ttl, explicit))
    else:
        ttl = policy.default_ttl
    no_stale = bool({"must-revalidate", "proxy-revalidate"} & cc.keys())
    # CloudFront keeps serving an expired object when the origin answers 5xx or not at
    # all ("Origin unavailable"), whether or not the origin sent stale-if-error; a
    # stale-if-error directive bounds that window.
    declared = delta_seconds(cc, "stale-if-error")
    return StoragePlan(
        ttl=ttl,
        stale_while_revalidate=0.0
        if no_stale
        else float(delta_seconds(cc, "stale-while-revalidate") or 0),
        stale_if_error=0.0
        if no_stale
        else float(declared if declared is not None else CLOUDFRONT_STALE_ON_ERROR),
        no_stale=no_stale,
    )


def _single_part(facts: ResponseFacts) -> bool:
    return parse_content_range(header_value(facts.headers, "content-range")) is not None


def _qualified_fields(cc: Directives) -> tuple[str, ...]:
    """The field names a qualified ``no-cache="…"`` or ``private="…"`` lists (lower-cased)."""
    names: list[str] = []
    for directive in ("no-cache", "private"):
        value = cc.get(directive)
        if value:
            names += [n.strip().lower() for n in value.split(",") if n.strip()]
    return tuple(names)


def _has_validator(headers: HeaderList) -> bool:
    return (
        header_value(headers, "etag") is not None
        or header_value(headers, "last-modified") is not None
    )


def _vary_star(headers: HeaderList) -> bool:
    return any(
        v.strip() == "*" for value in header_values(headers, "vary") for v in value.split(",")
    )
