"""Vendor properties: a host name or path prefix whose requests follow one vendor's rules.

A CDN product (Akamai Image Manager, imgix) decides things the generic cache engine
cannot: which policy and version apply, which breakpoint a width rounds to, which
format a browser gets, whether a URL's signature is good. A :class:`Property` makes
those decisions *before* the POP looks in its cache, by rewriting the viewer's request
into a canonical internal request whose path carries every decision (for instance
``/_akamai/{property}/production/v7/w320/webp/{image path}``). The POP then keys,
caches, coalesces, invalidates and forwards that internal request with its ordinary
rules: whatever the property put in the path is in the cache key, and an invalidation
path pattern over the internal prefix purges every derivative.

A property may also answer at once (a bad signature, a disabled source) by returning
an :class:`~edge.outcome.Outcome`.

The internal path must match a cache behaviour whose origin renders it (the vendor's
transformation service); :func:`with_routes` puts such behaviours ahead of the others.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import Protocol

from edge.config import CacheBehavior, CachePolicy, EdgeSettings
from edge.outcome import Outcome, ViewerRequest


class Property(Protocol):
    """One vendor property. ``rewrite`` returns None when the request is not its own, which
    ``claims`` tells without waiting (the fast lane asks it: edge.fast_lane)."""

    name: str

    def claims(self, request: ViewerRequest) -> bool: ...

    async def rewrite(
        self, request: ViewerRequest, pop_id: str
    ) -> ViewerRequest | Outcome | None: ...


async def apply_properties(
    properties: Sequence[Property], request: ViewerRequest, pop_id: str
) -> ViewerRequest | Outcome:
    """The request as the first property that claims it rewrites it (or its answer)."""
    for prop in properties:
        result = await prop.rewrite(request, pop_id)
        if result is not None:
            return result
    return request


def with_routes(
    settings: EdgeSettings,
    behaviors: Sequence[CacheBehavior],
    policies: Mapping[str, CachePolicy] = {},
    origins: Mapping[str, str] = {},
) -> EdgeSettings:
    """``settings`` with ``behaviors`` tried before its own, and their policies and origins."""
    return replace(
        settings,
        behaviors=(*behaviors, *settings.behaviors),
        policies={**settings.policies, **policies},
        origins={**settings.origins, **origins},
    )
