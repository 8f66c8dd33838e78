"""One POP (or the shield): lookup, decide, forward, store; the I/O around the pure rules."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from typing import Any, assert_never

import aiohttp

from common.clock import Clock
from common.events import EventLog
from common.single_flight import SingleFlight
from edge.config import CacheBehavior, EdgeSettings
from edge.counters import Counters
from edge.fill import SERVER_ERRORS, CacheRequest, Fetched, Filler
from edge.forwarding import passthrough_headers, upstream_url
from edge.invalidation.paths import covering
from edge.outcome import Outcome, ViewerRequest, XCache, edge_error, split_own_headers
from edge.properties import Property, apply_properties
from edge.rules.cache_control import header_value, header_values, parse_cache_control
from edge.rules.cache_key import build_key, select_behavior, uri_of
from edge.rules.cache_status import CacheStatus
from edge.rules.decision import (
    FreshHit,
    Miss,
    OnlyIfCachedMiss,
    Revalidate,
    StaleWhileRevalidate,
    decide,
)
from edge.rules.vary import secondary_key, vary_fields
from edge.store.base import Entry, Store, VaryMarker
from edge.store.front import FrontedStore
from edge.upstream import UpstreamError, UpstreamFailure, UpstreamResponse, fetch, open_session

log = logging.getLogger(__name__)

# What the edge answers when upstream fails, by kind of failure.
ERROR_RESPONSES: dict[UpstreamFailure, tuple[int, str]] = {
    "timeout": (504, "origin_timeout"),
    "connect": (502, "origin_unreachable"),
    "protocol": (502, "origin_invalid_response"),
    "too-large": (502, "origin_response_too_large"),
}


class Pop:
    """A POP's cache engine. ``upstream`` is the shield's URL, or None to go to the origins."""

    def __init__(
        self,
        pop_id: str,
        settings: EdgeSettings,
        store: Store,
        clock: Clock,
        events: EventLog,
        *,
        upstream: str | None = None,
        counters: Counters | None = None,
        properties: Sequence[Property] = (),
        worker: int = 0,
    ) -> None:
        """``properties``: vendor rules that rewrite viewer requests before the cache
        (see :mod:`edge.properties`); the shield gets already rewritten requests."""
        self.pop_id = pop_id
        self.settings = settings
        self.store = store
        self.clock = clock
        self.events = events
        self.upstream = upstream
        self.counters = counters or Counters()
        self.properties = list(properties)
        self.worker = worker  # which process of the POP this is (0: the edge's own)
        self._coalescer: SingleFlight[Fetched] = SingleFlight()
        self._background: set[asyncio.Task[None]] = set()
        self._session: aiohttp.ClientSession | None = None
        self._filler = Filler(settings, store, clock, self.counters, self._event, upstream)
        self._honor_request_cc = settings.profile == "rfc9111"

    def reconfigure(self, settings: EdgeSettings) -> None:
        """Use ``settings`` (keys, TTLs, behaviours) from the next request on."""
        self.settings = self._filler.settings = settings

    async def start(self) -> None:
        self._session = self._filler.session = open_session(self.settings.timeouts)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._session is not None:
            await self._session.close()
        await self.store.close()

    def _event(self, kind: str, **data: Any) -> None:
        self.events.append("edge", kind, pop=self.pop_id, **data)

    async def serve(self, req: ViewerRequest) -> Outcome:
        self.counters.requests += 1
        if self.properties:
            rewritten = await apply_properties(self.properties, req, self.pop_id)
            if isinstance(rewritten, Outcome):
                return rewritten
            req = rewritten
        behavior = select_behavior(self.settings.behaviors, req.path)
        policy = self.settings.policy_for(behavior)
        if policy.caching_disabled or req.method not in ("GET", "HEAD"):
            return await self._bypass(req, behavior)
        cc = (
            parse_cache_control(header_values(req.headers, "cache-control"))
            if self._honor_request_cc
            else {}
        )
        ctx = CacheRequest(
            req, behavior, policy, build_key(policy, req.path, req.query, req.headers), cc
        )
        entry, miss_reason = await self._lookup(ctx.key.primary, req.headers)
        now = self.clock.now()
        decision = decide(entry.freshness if entry else None, now, cc, miss_reason=miss_reason)
        match decision:
            case FreshHit():
                assert entry is not None
                return self._hit(ctx, entry, now, stale=False)
            case StaleWhileRevalidate():
                assert entry is not None
                self._refresh_later(ctx, entry)
                return self._hit(ctx, entry, now, stale=True)
            case Revalidate(reason=reason):
                return await self._forward(ctx, entry, reason)
            case Miss(reason=reason):
                return await self._forward(ctx, None, reason)
            case OnlyIfCachedMiss():
                message = "nothing usable is cached and the request said only-if-cached"
                return edge_error(
                    self.pop_id,
                    504,
                    "only_if_cached",
                    message,
                    "only-if-cached",
                    fwd=None,
                    key=ctx.debug_key,
                )
            case _:
                assert_never(decision)

    async def _lookup(
        self, primary: str, headers: Sequence[tuple[str, str]]
    ) -> tuple[Entry | None, Any]:
        value = await self.store.get(primary)
        if isinstance(value, VaryMarker):
            variant = await self.store.get(f"{primary}\nv:{secondary_key(value.fields, headers)}")
            return (variant if isinstance(variant, Entry) else None), "vary-miss"
        return value, "uri-miss"

    def _hit(self, ctx: CacheRequest, entry: Entry, now: float, *, stale: bool) -> Outcome:
        counters = self.counters
        counters.hits += 1
        counters.stale += stale
        counters.bytes += len(entry.body)
        age = entry.freshness.age(now)
        if self.settings.hit_events:
            self._event("stale" if stale else "hit", uri=entry.uri, age=int(age), **ctx.req.who())
        detail = "stale-while-revalidate" if stale else None
        status = CacheStatus(
            self.pop_id, hit=True, ttl=entry.freshness.ttl - age, key=ctx.debug_key, detail=detail
        )
        return Outcome(entry.status, entry.headers, entry.body, status, None, "Hit", int(age))

    async def _forward(self, ctx: CacheRequest, entry: Entry | None, fwd: str) -> Outcome:
        wait = self.settings.timeouts.coalesce_wait
        if self._coalescer.inflight(ctx.key.primary):
            self._event("coalescing", uri=ctx.key.uri)  # joins a fetch already under way
        try:
            fetched, collapsed = await self._coalescer.run(
                ctx.key.primary, lambda: self._filler.fetch(ctx, entry), wait=wait
            )
            if collapsed and fetched.secondary is not None and fetched.entry is not None:
                # Collapsed onto a request that selected another variant: fetch our own.
                mine = secondary_key(vary_fields(fetched.headers), ctx.req.headers)
                if mine != fetched.secondary:
                    fetched, collapsed = await self._filler.fetch(ctx, entry), False
        except UpstreamError as error:
            return self._upstream_failed(ctx, entry, fwd, error)
        status = fetched.response.status
        if (
            status in SERVER_ERRORS
            and entry is not None
            and self._filler.may_serve_stale(ctx, entry)
        ):
            return self._stale_for_error(ctx, entry, fwd, status, f"upstream answered {status}")
        return self._forwarded(ctx, fetched, fwd, collapsed)

    def _forwarded(self, ctx: CacheRequest, fetched: Fetched, fwd: str, collapsed: bool) -> Outcome:
        counters, now = self.counters, self.clock.now()
        counters.misses += not fetched.revalidated
        counters.revalidated += fetched.revalidated
        counters.collapsed += collapsed
        entry = fetched.entry
        body = entry.body if entry is not None else fetched.response.body
        counters.bytes += len(body)
        if collapsed:
            self._event("collapsed", uri=ctx.key.uri, **ctx.req.who())
        else:
            self._event(
                "miss", uri=ctx.key.uri, fwd=fwd, status=fetched.response.status, **ctx.req.who()
            )
        cache_status = CacheStatus(
            self.pop_id,
            fwd=fwd,
            fwd_status=fetched.response.status,
            ttl=entry.freshness.remaining(now) if entry else None,
            stored=entry is not None and not collapsed,
            collapsed=collapsed,
            key=ctx.debug_key,
        )
        age: int | None
        if entry is not None:
            status, headers, age = entry.status, entry.headers, int(entry.freshness.age(now))
        else:
            status, headers, age = (
                fetched.response.status,
                fetched.headers,
                _age_header(fetched.response),
            )
        x_cache: XCache = "RefreshHit" if fetched.revalidated else "Miss"
        return Outcome(
            status, headers, body, cache_status, fetched.upstream_cache_status, x_cache, age
        )

    def _upstream_failed(
        self, ctx: CacheRequest, entry: Entry | None, fwd: str, error: UpstreamError
    ) -> Outcome:
        if entry is not None and self._filler.may_serve_stale(ctx, entry):
            return self._stale_for_error(ctx, entry, fwd, None, str(error))
        self.counters.errors += 1
        self._event(
            "origin_error", uri=ctx.key.uri, error=error.kind, message=str(error), **ctx.req.who()
        )
        status, code = ERROR_RESPONSES[error.kind]
        return edge_error(
            self.pop_id, status, code, str(error), error.kind, fwd=fwd, key=ctx.debug_key
        )

    def _stale_for_error(
        self, ctx: CacheRequest, entry: Entry, fwd: str, fwd_status: int | None, why: str
    ) -> Outcome:
        now = self.clock.now()
        self.counters.stale += 1
        self.counters.bytes += len(entry.body)
        age = entry.freshness.age(now)
        self._event(
            "stale",
            uri=entry.uri,
            age=int(age),
            reason="stale-if-error",
            error=why,
            **ctx.req.who(),
        )
        status = CacheStatus(
            self.pop_id,
            fwd=fwd,
            fwd_status=fwd_status,
            ttl=entry.freshness.ttl - age,
            key=ctx.debug_key,
            detail="stale-if-error",
        )
        return Outcome(entry.status, entry.headers, entry.body, status, None, "Hit", int(age))

    def _refresh_later(self, ctx: CacheRequest, entry: Entry) -> None:
        if self._coalescer.inflight(ctx.key.primary):
            return
        task = asyncio.ensure_future(self._refresh(ctx, entry))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self, ctx: CacheRequest, entry: Entry) -> None:
        """RFC 5861 §3: bring a stale response up to date while it is being served."""
        try:
            fetched, _ = await self._coalescer.run(
                ctx.key.primary,
                lambda: self._filler.fetch(ctx, entry),
                wait=self.settings.timeouts.coalesce_wait,
            )
        except UpstreamError as error:
            self._event("refresh_failed", uri=entry.uri, error=error.kind)
            return
        self._event(
            "refreshed",
            uri=entry.uri,
            status=fetched.response.status,
            revalidated=fetched.revalidated,
        )

    async def _bypass(self, req: ViewerRequest, behavior: CacheBehavior) -> Outcome:
        assert self._session is not None, "POP not started"
        self.counters.bypass += 1
        self.counters.origin_fetches += 1
        base = self.upstream or self.settings.origins[behavior.origin]
        url = str(upstream_url(base, req.path, req.raw_query))
        try:
            resp = await fetch(
                self._session,
                self.clock,
                req.method,
                url,
                passthrough_headers(req.headers),
                body=req.body or None,
                max_bytes=self.settings.max_object_bytes,
            )
        except UpstreamError as error:
            self.counters.errors += 1
            status, code = ERROR_RESPONSES[error.kind]
            return edge_error(
                self.pop_id, status, code, str(error), error.kind, fwd="bypass", key=None
            )
        self.counters.bytes += len(resp.body)
        self._event("bypass", uri=req.path, method=req.method, status=resp.status, **req.who())
        headers, upstream_status = split_own_headers(resp.headers)
        ours = CacheStatus(self.pop_id, fwd="bypass", fwd_status=resp.status)
        return Outcome(
            resp.status, headers, resp.body, ours, upstream_status, "Miss", _age_header(resp)
        )

    async def stats(self) -> dict[str, Any]:
        return {**self.counters.as_dict(), "volume": await self.store.volume(), "workers": 1}

    async def purge(self, patterns: Sequence[str]) -> int:
        """Remove every stored entry whose uri an invalidation pattern covers."""
        removed, covered = 0, covering(patterns)
        async for key in self.store.stored_keys():
            if covered(uri_of(key)) and await self.store.delete(key):
                removed += 1
        await self.forget(patterns)
        self._event("purged", patterns=list(patterns), removed=removed)
        return removed

    async def forget(self, patterns: Sequence[str]) -> int:
        """Drop this process's remembered copies that the patterns cover (see FrontedStore)."""
        if isinstance(self.store, FrontedStore):
            return await self.store.drop_matching(covering(patterns))
        return 0

    async def listing(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Stored entries with their age and remaining freshness (negative once stale)."""
        now, out = self.clock.now(), []
        async for key in self.store.stored_keys():
            value = await self.store.get(key)
            if isinstance(value, Entry):
                age = value.freshness.age(now)
                out.append(
                    {
                        "key": key,
                        "uri": value.uri,
                        "status": value.status,
                        "age": round(age, 3),
                        "ttl": round(value.freshness.ttl - age, 3),
                        "bytes": len(value.body),
                    }
                )
                if len(out) >= limit:
                    break
        return out


def _age_header(resp: UpstreamResponse) -> int | None:
    value = header_value(resp.headers, "age")
    return int(value) if value and value.isdigit() else None
