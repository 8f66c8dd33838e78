"""One POP (or the shield): lookup, decide, forward, store; the I/O around the pure rules."""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import replace
from typing import Any, assert_never

from common.clock import Clock
from common.events import EventSink
from edge.coalescing import Fill, LocalFill
from edge.config import CacheBehavior, EdgeSettings
from edge.counters import Counters
from edge.fill import SERVER_ERRORS, CacheRequest, Fetched, Filler
from edge.invalidation.paths import covering
from edge.outcome import Outcome, ViewerRequest
from edge.passthrough import Passthrough
from edge.pop_answers import Answers
from edge.pop_parts import PopParts
from edge.properties import Property, apply_properties
from edge.rules.cache_control import header_value, header_values, parse_cache_control
from edge.rules.cache_key import build_key, select_behavior, uri_of
from edge.rules.decision import (
    Decision,
    FreshHit,
    Miss,
    OnlyIfCachedMiss,
    Revalidate,
    StaleWhileRevalidate,
    decide,
)
from edge.rules.partial import Covered, FetchRange, plan_partial_fill
from edge.rules.ranges import upstream_range
from edge.rules.validators import Validators
from edge.rules.vary import secondary_key, vary_fields
from edge.store.base import Entry, Store, VaryMarker
from edge.store.front import FrontedStore
from edge.store.listing import list_entries
from edge.upstream import UpstreamError, open_session

log = logging.getLogger(__name__)


class Pop:
    """A POP's cache engine. ``upstream`` is the shield's URL, or None to go to the origins."""

    def __init__(
        self,
        pop_id: str,
        settings: EdgeSettings,
        store: Store,
        clock: Clock,
        events: EventSink,
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
        self._background: set[asyncio.Task[None]] = set()
        self._parts = PopParts(pop_id, settings, store, clock, self.counters, self.event, upstream)
        self._filler = Filler(self._parts)
        # Who fills misses: this process (a worker process puts its edge process here).
        self.fill: Fill = LocalFill(self._filler, settings.timeouts.coalesce_wait)
        self._passthrough = Passthrough(self._parts)
        self._answers = Answers(self._parts, self._filler)
        self._honor_request_cc = settings.traits.honor_request_cache_control

    def reconfigure(self, settings: EdgeSettings) -> None:
        """Use ``settings`` (keys, TTLs, behaviours) from the next request on."""
        self.settings = self._parts.settings = settings
        self._honor_request_cc = settings.traits.honor_request_cache_control

    async def start(self) -> None:
        self._parts.session = open_session(self.settings.timeouts)

    async def close(self) -> None:
        for task in list(self._background):
            task.cancel()
        await asyncio.gather(*self._background, return_exceptions=True)
        if self._parts.session is not None:
            await self._parts.session.close()
        await self.store.close()

    def event(self, kind: str, **data: Any) -> None:
        self.events.append("edge", kind, pop=self.pop_id, **data)

    async def serve(self, req: ViewerRequest) -> Outcome:
        self.counters.requests += 1
        started = self._timer()
        if self.properties:
            rewritten = await apply_properties(self.properties, req, self.pop_id)
            if isinstance(rewritten, Outcome):
                return rewritten
            req = rewritten
        ctx = self._cache_request(req, started)
        if isinstance(ctx, CacheBehavior):
            return await self._passthrough.forward(req, ctx)
        cc = ctx.request_cc
        entry, miss_reason = await self._lookup(ctx.key.primary, req.headers)
        now = self.clock.now()
        decision = decide(entry.freshness if entry else None, now, cc, miss_reason=miss_reason)
        if entry is not None and entry.partial is not None:
            return await self._serve_partial(ctx, entry, decision, now)
        match decision:
            case FreshHit():
                assert entry is not None
                return self._answers.hit(ctx, entry, now, stale=False)
            case StaleWhileRevalidate():
                assert entry is not None
                self._refresh_later(ctx, entry)
                return self._answers.hit(ctx, entry, now, stale=True)
            case Revalidate(reason=reason):
                return await self._forward(ctx, entry, reason)
            case Miss(reason=reason):
                ask = upstream_range(req.method, _field(req, "range"), _field(req, "if-range"))
                return await self._forward(replace(ctx, upstream_range=ask), None, reason)
            case OnlyIfCachedMiss():
                return self._answers.only_if_cached(ctx)
            case _:
                assert_never(decision)

    def serve_held(self, req: ViewerRequest) -> Outcome | None:
        """A fresh hit from what this process holds in memory, answered without waiting
        (the fast lane, edge.fast_lane); None for anything else, which ``serve`` takes: a
        vendor property's request, a pass-through, a Vary selection, a part, a stale or
        absent entry."""
        if any(prop.claims(req) for prop in self.properties):
            return None  # a vendor's request: rewritten first (serve)
        started = self._timer()
        ctx = self._cache_request(req, started)
        if isinstance(ctx, CacheBehavior):
            return None
        entry = self.store.held(ctx.key.primary)
        if not isinstance(entry, Entry) or entry.partial is not None:
            return None
        now = self.clock.now()
        decision = decide(entry.freshness, now, ctx.request_cc, miss_reason="uri-miss")
        if not isinstance(decision, FreshHit):
            return None
        self.counters.requests += 1
        return self._answers.hit(ctx, entry, now, stale=False)

    def _timer(self) -> float:
        # Request events say how long the POP took (ms) only when hits are logged too:
        # with hit events off (benchmarks) the hit path reads no timer.
        return time.perf_counter() if self.settings.hit_events else 0.0

    def _cache_request(self, req: ViewerRequest, started: float) -> CacheRequest | CacheBehavior:
        """The request resolved against the configuration, or the behaviour that passes it
        through uncached."""
        behavior = select_behavior(self.settings.behaviors, req.path)
        policy = self.settings.policy_for(behavior)
        if policy.caching_disabled or req.method not in ("GET", "HEAD"):
            return behavior
        cc = (
            parse_cache_control(header_values(req.headers, "cache-control"))
            if self._honor_request_cc
            else {}
        )
        key = build_key(policy, req.path, req.query, req.headers)
        return CacheRequest(req, behavior, policy, key, cc, started=started)

    async def _serve_partial(
        self, ctx: CacheRequest, entry: Entry, decision: Decision, now: float
    ) -> Outcome:
        """A stored 206 answers only a fresh request within it (RFC 9111 §3.3); otherwise
        upstream is asked for the part that is needed, to be combined with it (§3.4)."""
        assert entry.partial is not None
        req = ctx.req
        fill = plan_partial_fill(
            entry.partial,
            Validators.of(entry.headers),
            fresh=isinstance(decision, FreshHit),
            method=req.method,
            range_value=_field(req, "range"),
            if_range=_field(req, "if-range"),
        )
        match fill:
            case Covered():
                return self._answers.hit(ctx, entry, now, stale=False)
            case FetchRange(range=ask, if_range=guard):
                if isinstance(decision, OnlyIfCachedMiss) or "only-if-cached" in ctx.request_cc:
                    return self._answers.only_if_cached(ctx)
                fwd = "partial" if isinstance(decision, FreshHit) else "stale"
                return await self._forward(
                    replace(ctx, upstream_range=ask, upstream_if_range=guard), entry, fwd
                )
            case _:
                assert_never(fill)

    async def _lookup(
        self, primary: str, headers: Sequence[tuple[str, str]]
    ) -> tuple[Entry | None, Any]:
        value = await self.store.get(primary)
        if isinstance(value, VaryMarker):
            variant = await self.store.get(f"{primary}\nv:{secondary_key(value.fields, headers)}")
            return (variant if isinstance(variant, Entry) else None), "vary-miss"
        return value, "uri-miss"

    async def _forward(self, ctx: CacheRequest, entry: Entry | None, fwd: str) -> Outcome:
        if self.fill.inflight(ctx.flight):
            self.event("coalescing", uri=ctx.key.uri)  # joins a fetch already under way
        try:
            fetched, collapsed = await self.fill.shared(ctx, entry)
            if collapsed and fetched.secondary is not None and fetched.entry is not None:
                # Collapsed onto a request that selected another variant: fetch our own.
                mine = secondary_key(vary_fields(fetched.headers), ctx.req.headers)
                if mine != fetched.secondary:
                    fetched, collapsed = await self.fill.alone(ctx, entry), False
            if not self._holds_what_was_asked(ctx, fetched):
                # The part upstream sent does not hold what this viewer asked for (an origin
                # that ignored If-Range, say): ask for the whole representation.
                whole = replace(ctx, upstream_range=None, upstream_if_range=None)
                fetched, collapsed = await self.fill.alone(whole, None), False
        except UpstreamError as error:
            return self._answers.upstream_failed(ctx, entry, fwd, error)
        status = fetched.response.status
        if (
            status in SERVER_ERRORS
            and entry is not None
            and self._filler.may_serve_stale(ctx, entry)
        ):
            return self._answers.stale_for_error(
                ctx, entry, fwd, status, f"upstream answered {status}"
            )
        return self._answers.forwarded(ctx, fetched, fwd, collapsed)

    def _holds_what_was_asked(self, ctx: CacheRequest, fetched: Fetched) -> bool:
        """Whether the fetched representation holds what this viewer needs."""
        held = fetched.answer.partial
        if held is None:
            return True
        fill = plan_partial_fill(
            held,
            Validators.of(fetched.answer.headers),
            fresh=True,
            method=ctx.req.method,
            range_value=_field(ctx.req, "range"),
            if_range=_field(ctx.req, "if-range"),
        )
        return isinstance(fill, Covered)

    def _refresh_later(self, ctx: CacheRequest, entry: Entry) -> None:
        if self.fill.inflight(ctx.flight):
            return
        task = asyncio.ensure_future(self._refresh(ctx, entry))
        self._background.add(task)
        task.add_done_callback(self._background.discard)

    async def _refresh(self, ctx: CacheRequest, entry: Entry) -> None:
        """RFC 5861 §3: bring a stale response up to date while it is being served."""
        try:
            fetched, _ = await self.fill.shared(ctx, entry)
        except UpstreamError as error:
            self.event("refresh_failed", uri=entry.uri, error=error.kind)
            return
        self.event(
            "refreshed",
            uri=entry.uri,
            status=fetched.response.status,
            revalidated=fetched.revalidated,
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
        self.event("purged", patterns=list(patterns), removed=removed)
        return removed

    async def forget(self, patterns: Sequence[str]) -> int:
        """Drop this process's remembered copies that the patterns cover (see FrontedStore)."""
        return await self.forget_matching(covering(patterns))

    async def forget_matching(self, covered: Callable[[str], bool]) -> int:
        """Drop this process's remembered copies whose uri ``covered`` says."""
        if isinstance(self.store, FrontedStore):
            return await self.store.drop_matching(covered)
        return 0

    @property
    def on_invalidated(self) -> Callable[[str], Awaitable[Any]] | None:
        """Called with each uri an unsafe method invalidated here (RFC 9111 §4.4), before
        the viewer is answered: a worker process tells every other worker."""
        return self._parts.on_invalidated

    @on_invalidated.setter
    def on_invalidated(self, hook: Callable[[str], Awaitable[Any]] | None) -> None:
        self._parts.on_invalidated = hook

    async def listing(self, limit: int = 1000) -> list[dict[str, Any]]:
        """Stored entries with their age and remaining freshness (negative once stale)."""
        return await list_entries(self.store, self.clock.now(), limit)


def _field(req: ViewerRequest, name: str) -> str | None:
    return header_value(req.headers, name)
