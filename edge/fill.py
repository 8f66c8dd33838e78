"""Filling a POP's cache: one upstream request, the storage plan, the stored entry.

A :class:`Filler` does the work that concurrent requests for one key share (the
coalesced part): it sends the request upstream (conditionally when it holds a stored
response), refreshes the stored response on a 304 (RFC 9111 §4.3.4), or stores the new
response as the profile's plan says.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import aiohttp

from common.clock import Clock
from edge.config import CacheBehavior, CachePolicy, EdgeSettings
from edge.counters import Counters
from edge.forwarding import cached_request_headers, merge_304, upstream_url, validators_of
from edge.outcome import ViewerRequest, split_own_headers
from edge.rules.cache_control import Directives, header_value
from edge.rules.cache_key import CacheKey
from edge.rules.decision import Freshness, stale_if_error_allows
from edge.rules.freshness import age_inputs
from edge.rules.ttl import Heuristics, ResponseFacts, StoragePlan, plan_storage
from edge.rules.vary import secondary_key, vary_fields
from edge.store.base import Entry, Store, VaryMarker
from edge.upstream import UpstreamResponse, fetch

# RFC 5861 §4: the upstream statuses stale-if-error may stand in for.
SERVER_ERRORS = frozenset({500, 502, 503, 504})

Headers = tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class CacheRequest:
    """One cacheable request, resolved against the configuration."""

    req: ViewerRequest
    behavior: CacheBehavior
    policy: CachePolicy
    key: CacheKey
    request_cc: Directives

    @property
    def debug_key(self) -> str | None:
        return self.key.primary if self.req.debug else None


@dataclass(frozen=True)
class Fetched:
    """The result of one upstream request, shared by every request collapsed onto it."""

    response: UpstreamResponse
    headers: Headers  # without the headers POPs set themselves
    upstream_cache_status: str | None
    entry: Entry | None  # what is now stored (new or refreshed), if anything
    revalidated: bool  # a 304 refreshed the stored response
    secondary: str | None  # the Vary selection of the request that fetched it


class Filler:
    def __init__(
        self,
        settings: EdgeSettings,
        store: Store,
        clock: Clock,
        counters: Counters,
        event: Callable[..., None],
        upstream: str | None,
    ) -> None:
        self.settings, self.store, self.clock, self.counters = settings, store, clock, counters
        self._event = event
        self._upstream = upstream
        self._tuning = Heuristics(
            settings.error_ttl, settings.heuristic_fraction, settings.heuristic_max
        )
        self.session: aiohttp.ClientSession | None = None

    async def fetch(self, ctx: CacheRequest, entry: Entry | None) -> Fetched:
        """Ask upstream (revalidating ``entry`` when there is one) and store what may be stored."""
        assert self.session is not None, "POP not started"
        base = self._upstream or self.settings.origins[ctx.behavior.origin]
        validators = validators_of(entry.headers) if entry is not None else []
        headers = cached_request_headers(
            ctx.req.headers,
            ctx.policy,
            forward_cache_control=self.settings.profile == "rfc9111",
            validators=validators,
        )
        self.counters.origin_fetches += 1
        self._event("origin_fetch", uri=ctx.key.uri, conditional=bool(validators))
        url = str(upstream_url(base, ctx.req.path, ctx.key.query))
        resp = await fetch(
            self.session, self.clock, "GET", url, headers, max_bytes=self.settings.max_object_bytes
        )
        kept, upstream_status = split_own_headers(resp.headers)
        if resp.status == 304 and entry is not None:
            return await self._refresh_stored(ctx, entry, resp, kept, upstream_status)
        if resp.status in SERVER_ERRORS and entry is not None and self.may_serve_stale(ctx, entry):
            return Fetched(resp, kept, upstream_status, None, False, None)  # keep the stale copy
        plan = self._plan(ctx, resp.status, kept, resp)
        stored = (
            None
            if plan.refused
            else await self._store(ctx, resp, kept, plan, resp.status, resp.body)
        )
        secondary = stored.key.rpartition("\nv:")[2] if stored and "\nv:" in stored.key else None
        return Fetched(resp, kept, upstream_status, stored, False, secondary)

    def may_serve_stale(self, ctx: CacheRequest, entry: Entry) -> bool:
        return stale_if_error_allows(entry.freshness, self.clock.now(), ctx.request_cc)

    def _plan(
        self, ctx: CacheRequest, status: int, headers: Headers, resp: UpstreamResponse
    ) -> StoragePlan:
        has_authorization = header_value(ctx.req.headers, "authorization") is not None
        facts = ResponseFacts(
            "GET", status, headers, resp.response_time, ctx.request_cc, has_authorization
        )
        return plan_storage(self.settings.profile, ctx.policy, facts, self._tuning)

    async def _refresh_stored(
        self,
        ctx: CacheRequest,
        entry: Entry,
        resp: UpstreamResponse,
        fresh: Headers,
        upstream: str | None,
    ) -> Fetched:
        merged = merge_304(entry.headers, fresh)
        plan = self._plan(ctx, entry.status, merged, resp)
        self._event("revalidated", uri=entry.uri)
        refreshed = None
        if plan.refused:
            await self.store.delete(entry.key)
        else:
            refreshed = await self._store(
                ctx, resp, merged, plan, entry.status, entry.body, key=entry.key
            )
        return Fetched(resp, merged, upstream, refreshed, True, None)

    async def _store(
        self,
        ctx: CacheRequest,
        resp: UpstreamResponse,
        headers: Headers,
        plan: StoragePlan,
        status: int,
        body: bytes,
        *,
        key: str | None = None,
    ) -> Entry:
        fields = vary_fields(headers)
        if key is None:
            key = ctx.key.primary
            if fields:
                key = f"{key}\nv:{secondary_key(fields, ctx.req.headers)}"
                await self.store.put(ctx.key.primary, VaryMarker(fields, ctx.key.uri))
        # Age comes from the upstream response itself (POPs strip it from what they keep).
        received_age = tuple((k, v) for k, v in resp.headers if k.lower() == "age")
        inputs = age_inputs(headers + received_age, resp.request_time, resp.response_time)
        freshness = Freshness(
            inputs,
            plan.ttl,
            plan.stale_while_revalidate,
            plan.stale_if_error,
            plan.always_revalidate,
            plan.no_stale,
        )
        entry = Entry(key, ctx.key.uri, status, headers, body, freshness, resp.response_time)
        await self.store.put(key, entry)
        self.counters.stored += 1
        self._event("stored", uri=ctx.key.uri, ttl=plan.ttl, status=status)
        return entry
