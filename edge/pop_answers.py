"""What a POP answers once it knows what happened: a hit, a forwarded response, stale content
for an error, an error of its own; each counted and logged as an event. The POP (edge.pop)
decides which; these build the answer."""

from __future__ import annotations

import time

from edge.fill import CacheRequest, Fetched, Filler
from edge.outcome import Outcome, XCache, edge_error
from edge.passthrough import ERROR_RESPONSES, age_header
from edge.pop_parts import PopParts
from edge.rules.cache_status import CacheStatus
from edge.store.base import Entry
from edge.upstream import UpstreamError


class Answers:
    """The answers of one POP (its parts shared with its filler and passthrough)."""

    def __init__(self, parts: PopParts, filler: Filler) -> None:
        self.parts = parts
        self._filler = filler

    def hit(self, ctx: CacheRequest, entry: Entry, now: float, *, stale: bool) -> Outcome:
        counters = self.parts.counters
        counters.hits += 1
        counters.stale += stale
        counters.bytes += len(entry.body)
        age = entry.freshness.age(now)
        if self.parts.settings.hit_events:
            self.parts.event(
                "stale" if stale else "hit",
                uri=entry.uri,
                age=int(age),
                bytes=len(entry.body),
                **_took(ctx),
                **ctx.req.who(),
            )
        detail = "stale-while-revalidate" if stale else None
        status = CacheStatus(
            self.parts.pop_id,
            hit=True,
            ttl=entry.freshness.ttl - age,
            key=ctx.debug_key,
            detail=detail,
        )
        return Outcome(
            entry.status,
            entry.headers,
            entry.body,
            status,
            None,
            "Hit",
            int(age),
            partial=entry.partial,
        )

    def forwarded(self, ctx: CacheRequest, fetched: Fetched, fwd: str, collapsed: bool) -> Outcome:
        counters, now = self.parts.counters, self.parts.clock.now()
        counters.misses += not fetched.revalidated
        counters.revalidated += fetched.revalidated
        counters.collapsed += collapsed
        entry, answer = fetched.entry, fetched.answer
        counters.bytes += len(answer.body)
        sent = {"bytes": len(answer.body), **_took(ctx), **ctx.req.who()}
        if collapsed:
            self.parts.event("collapsed", uri=ctx.key.uri, **sent)
        else:
            self.parts.event(
                "miss", uri=ctx.key.uri, fwd=fwd, status=fetched.response.status, **sent
            )
        cache_status = CacheStatus(
            self.parts.pop_id,
            fwd=fwd,
            fwd_status=fetched.response.status,
            ttl=entry.freshness.remaining(now) if entry else None,
            stored=entry is not None and not collapsed,
            collapsed=collapsed,
            key=ctx.debug_key,
        )
        age = int(entry.freshness.age(now)) if entry is not None else age_header(fetched.response)
        x_cache: XCache = "RefreshHit" if fetched.revalidated else "Miss"
        return Outcome(
            answer.status,
            answer.headers,
            answer.body,
            cache_status,
            fetched.upstream_cache_status,
            x_cache,
            age,
            partial=answer.partial,
            interim=() if collapsed else fetched.response.interim,
        )

    def upstream_failed(
        self, ctx: CacheRequest, entry: Entry | None, fwd: str, error: UpstreamError
    ) -> Outcome:
        if entry is not None and self._filler.may_serve_stale(ctx, entry):
            return self.stale_for_error(ctx, entry, fwd, None, str(error))
        self.parts.counters.errors += 1
        self.parts.event(
            "origin_error",
            uri=ctx.key.uri,
            error=error.kind,
            message=str(error),
            **_took(ctx),
            **ctx.req.who(),
        )
        status, code = ERROR_RESPONSES[error.kind]
        return edge_error(
            self.parts.pop_id, status, code, str(error), error.kind, fwd=fwd, key=ctx.debug_key
        )

    def stale_for_error(
        self, ctx: CacheRequest, entry: Entry, fwd: str, fwd_status: int | None, why: str
    ) -> Outcome:
        now = self.parts.clock.now()
        self.parts.counters.stale += 1
        self.parts.counters.bytes += len(entry.body)
        age = entry.freshness.age(now)
        self.parts.event(
            "stale",
            uri=entry.uri,
            age=int(age),
            reason="stale-if-error",
            error=why,
            bytes=len(entry.body),
            **_took(ctx),
            **ctx.req.who(),
        )
        status = CacheStatus(
            self.parts.pop_id,
            fwd=fwd,
            fwd_status=fwd_status,
            ttl=entry.freshness.ttl - age,
            key=ctx.debug_key,
            detail="stale-if-error",
        )
        return Outcome(entry.status, entry.headers, entry.body, status, None, "Hit", int(age))

    def only_if_cached(self, ctx: CacheRequest) -> Outcome:
        message = "nothing usable is cached and the request said only-if-cached"
        return edge_error(
            self.parts.pop_id,
            504,
            "only_if_cached",
            message,
            "only-if-cached",
            fwd=None,
            key=ctx.debug_key,
        )


def _took(ctx: CacheRequest) -> dict[str, float]:
    """``ms``: wall milliseconds from the POP taking the request to its answer (timed
    requests only)."""
    if not ctx.started:
        return {}
    return {"ms": round((time.perf_counter() - ctx.started) * 1000, 3)}
