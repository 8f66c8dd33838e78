"""Filling a POP's cache: one upstream request, the storage plan, the stored entry.

A :class:`Filler` does the work that concurrent requests for one key share (the
coalesced part): it sends the request upstream (conditionally when it holds a stored
response, with a Range when it asks for part of one), refreshes the stored response on
a 304 (RFC 9111 §4.3.4), combines a 206 with the part it holds (RFC 9111 §3.4), or
stores the new response as the profile's plan says.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.config import CacheBehavior, CachePolicy
from edge.forwarding import cached_request_headers, merge_fields, upstream_url, validators_of
from edge.outcome import OWN_CACHED_HEADERS, ViewerRequest, split_own_headers
from edge.pop_parts import PopParts
from edge.rules.cache_control import Directives, header_value
from edge.rules.cache_key import CacheKey
from edge.rules.decision import Freshness, stale_if_error_allows
from edge.rules.freshness import age_inputs
from edge.rules.partial import Partial, combine
from edge.rules.ranges import parse_content_range
from edge.rules.ttl import Heuristics, ResponseFacts, StoragePlan, plan_storage
from edge.rules.validators import Validators, same_representation
from edge.rules.vary import secondary_key, vary_fields
from edge.store.base import Entry, VaryMarker
from edge.upstream import UpstreamResponse, fetch

# RFC 5861 §4: the upstream statuses stale-if-error may stand in for.
SERVER_ERRORS = frozenset({500, 502, 503, 504})

Headers = tuple[tuple[str, str], ...]


@dataclass(slots=True)  # built for every hit: slotted, not frozen (see edge.outcome)
class CacheRequest:
    """One cacheable request, resolved against the configuration."""

    req: ViewerRequest
    behavior: CacheBehavior
    policy: CachePolicy
    key: CacheKey
    request_cc: Directives
    upstream_range: str | None = None  # the Range the POP asks upstream for, if any
    upstream_if_range: str | None = None
    started: float = 0.0  # perf_counter() when the POP took the request; 0: not timed

    @property
    def debug_key(self) -> str | None:
        return self.key.primary if self.req.debug else None

    @property
    def flight(self) -> str:
        """What concurrent requests must share to share one upstream request: the key,
        the part asked for, and the credentials sent (a response to one Authorization
        is never handed to a request with another, RFC 9111 §3.5)."""
        flight = self.key.primary
        if self.upstream_range is not None:
            flight += f"\nr:{self.upstream_range};{self.upstream_if_range}"
        authorization = header_value(self.req.headers, "authorization")
        return flight if authorization is None else f"{flight}\na:{authorization}"


@dataclass(frozen=True)
class Answer:
    """The representation a fetch produced for its viewers: a complete one, or (with
    ``partial``) some of its bytes; the POP cuts each viewer's Range out of it."""

    status: int
    headers: Headers
    body: bytes
    partial: Partial | None = None


@dataclass(frozen=True)
class Fetched:
    """The result of one upstream request, shared by every request collapsed onto it."""

    response: UpstreamResponse
    headers: Headers  # without the headers POPs set themselves
    upstream_cache_status: str | None
    entry: Entry | None  # what is now stored (new or refreshed), if anything
    revalidated: bool  # a 304 refreshed the stored response
    secondary: str | None  # the Vary selection of the request that fetched it
    answer: Answer


class Filler:
    def __init__(self, parts: PopParts) -> None:
        self.parts = parts

    async def fetch(self, ctx: CacheRequest, entry: Entry | None) -> Fetched:
        """Ask upstream (revalidating ``entry`` when there is one) and store what may be stored."""
        resp = await self._send(ctx, entry)
        kept, upstream_status = split_own_headers(resp.headers, OWN_CACHED_HEADERS)
        ranged = ctx.upstream_range is not None
        if resp.status == 304 and entry is not None and not ranged and entry.partial is None:
            return await self._refresh_stored(ctx, entry, resp, kept, upstream_status)
        if resp.status in SERVER_ERRORS and entry is not None and self.may_serve_stale(ctx, entry):
            answer = Answer(resp.status, kept, resp.body)
            return Fetched(resp, kept, upstream_status, None, False, None, answer)  # keep stale
        if resp.status == 206:
            return await self._partial(ctx, entry, resp, kept, upstream_status)
        plan = self._plan(ctx, resp.status, kept, resp)
        stored = (
            None
            if plan.refused
            else await self._store(ctx, resp, kept, plan, resp.status, resp.body)
        )
        answer = Answer(resp.status, kept, resp.body)
        return Fetched(resp, kept, upstream_status, stored, False, _secondary(stored), answer)

    async def _send(self, ctx: CacheRequest, entry: Entry | None) -> UpstreamResponse:
        assert self.parts.session is not None, "POP not started"
        base = self.parts.upstream or self.parts.settings.origins[ctx.behavior.origin]
        if ctx.upstream_range is not None:
            asks = [("Range", ctx.upstream_range)]
            asks += [("If-Range", ctx.upstream_if_range)] if ctx.upstream_if_range else []
        elif entry is not None and entry.partial is None:
            asks = validators_of(entry.headers)
        else:
            asks = []
        traits = self.parts.settings.traits
        headers = cached_request_headers(
            ctx.req.headers,
            ctx.policy,
            forward_cache_control=traits.honor_request_cache_control,
            forward_authorization=traits.forward_authorization,
            validators=asks,
        )
        self.parts.counters.origin_fetches += 1
        self.parts.event(
            "origin_fetch",
            uri=ctx.key.uri,
            conditional=bool(asks) and ctx.upstream_range is None,
            range=ctx.upstream_range,
        )
        url = str(upstream_url(base, ctx.req.path, ctx.key.query))
        resp = await fetch(
            self.parts.session,
            self.parts.clock,
            "GET",
            url,
            headers,
            max_bytes=self.parts.settings.max_object_bytes,
        )
        if resp.excess:
            # RFC 9112 §6.3: the declared length wins; the connection was not reused.
            self.parts.event("upstream_excess_bytes", uri=ctx.key.uri, excess=resp.excess)
        return resp

    def may_serve_stale(self, ctx: CacheRequest, entry: Entry) -> bool:
        """RFC 5861 §4, for a complete stored response (a partial one may not hold what
        the viewer asked for)."""
        return entry.partial is None and stale_if_error_allows(
            entry.freshness, self.parts.clock.now(), ctx.request_cc
        )

    def _plan(
        self, ctx: CacheRequest, status: int, headers: Headers, resp: UpstreamResponse
    ) -> StoragePlan:
        facts = ResponseFacts(
            "GET",
            status,
            headers + _received_age(resp),
            resp.response_time,
            ctx.request_cc,
            header_value(ctx.req.headers, "authorization") is not None,
            self.parts.settings.targeted_fields(ctx.policy),
            ctx.upstream_range is not None,
        )
        settings = self.parts.settings
        tuning = Heuristics(settings.error_ttl, settings.heuristic_fraction, settings.heuristic_max)
        return plan_storage(settings.profile, ctx.policy, facts, tuning)

    async def _partial(
        self,
        ctx: CacheRequest,
        entry: Entry | None,
        resp: UpstreamResponse,
        kept: Headers,
        upstream: str | None,
    ) -> Fetched:
        """A 206: stored as partial content (RFC 9111 §3.3), combined with the part held
        when both are the same representation (§3.4: the new fields replace the stored
        ones, the others are kept); complete once every byte is held."""
        parsed = parse_content_range(header_value(kept, "content-range"))
        if parsed is None or len(resp.body) != parsed[0][1] - parsed[0][0] + 1:
            # Several parts, or a Content-Range we cannot trust: passed on, not stored.
            answer = Answer(resp.status, kept, resp.body)
            return Fetched(resp, kept, upstream, None, False, None, answer)
        fields = tuple((k, v) for k, v in kept if k.lower() != "content-range")
        partial, body = Partial((parsed[0],), parsed[1]), resp.body
        if entry is not None and entry.partial is not None:
            held = Validators.of(entry.headers)
            if entry.partial.length == partial.length and same_representation(
                held, Validators.of(fields)
            ):
                partial, body = combine(entry.partial, entry.body, partial, body)
                fields = merge_fields(entry.headers, fields)
        status, complete = (200, None) if partial.complete else (206, partial)
        answer = Answer(status, fields, body, complete)
        plan = self._plan(ctx, resp.status, kept, resp)
        if plan.refused:
            return Fetched(resp, kept, upstream, None, False, None, answer)
        stored = await self._store(ctx, resp, fields, plan, status, body, partial=complete)
        return Fetched(resp, kept, upstream, stored, False, _secondary(stored), answer)

    async def _refresh_stored(
        self,
        ctx: CacheRequest,
        entry: Entry,
        resp: UpstreamResponse,
        fresh: Headers,
        upstream: str | None,
    ) -> Fetched:
        merged = merge_fields(entry.headers, fresh, on_304=True)
        plan = self._plan(ctx, entry.status, merged, resp)
        self.parts.event("revalidated", uri=entry.uri)
        refreshed = None
        if plan.refused:
            await self.parts.store.delete(entry.key)
        else:
            refreshed = await self._store(
                ctx, resp, merged, plan, entry.status, entry.body, key=entry.key
            )
        answer = Answer(entry.status, refreshed.headers if refreshed else merged, entry.body)
        return Fetched(resp, merged, upstream, refreshed, True, None, answer)

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
        partial: Partial | None = None,
    ) -> Entry:
        if plan.omit_fields:  # qualified no-cache / private (RFC 9111 §5.2.2.4, §5.2.2.7)
            headers = tuple((k, v) for k, v in headers if k.lower() not in plan.omit_fields)
        fields = vary_fields(headers)
        if key is None:
            key = ctx.key.primary
            if fields:
                key = f"{key}\nv:{secondary_key(fields, ctx.req.headers)}"
                await self.parts.store.put(ctx.key.primary, VaryMarker(fields, ctx.key.uri))
        if partial is not None and (kept := await self._complete_copy(key, headers)) is not None:
            return kept  # a concurrent whole-body fetch stored it all meanwhile: keep that
        inputs = age_inputs(headers + _received_age(resp), resp.request_time, resp.response_time)
        freshness = Freshness(
            inputs,
            plan.ttl,
            plan.stale_while_revalidate,
            plan.stale_if_error,
            plan.always_revalidate,
            plan.no_stale,
        )
        entry = Entry(
            key, ctx.key.uri, status, headers, body, freshness, resp.response_time, partial
        )
        await self.parts.store.put(key, entry)
        self.parts.counters.stored += 1
        self.parts.event("stored", uri=ctx.key.uri, ttl=plan.ttl, status=status)
        return entry

    async def _complete_copy(self, key: str, headers: Headers) -> Entry | None:
        """The complete response stored under ``key``, if it is this representation."""
        stored = await self.parts.store.get(key)
        if (
            isinstance(stored, Entry)
            and stored.partial is None
            and same_representation(Validators.of(stored.headers), Validators.of(headers))
        ):
            return stored
        return None


def _received_age(resp: UpstreamResponse) -> Headers:
    """Age as upstream sent it (POPs strip it from what they keep: they set their own)."""
    return tuple((k, v) for k, v in resp.headers if k.lower() == "age")


def _secondary(stored: Entry | None) -> str | None:
    return stored.key.rpartition("\nv:")[2] if stored and "\nv:" in stored.key else None
