"""Requests a POP does not cache: forwarded as they are, then what they invalidate.

Uncacheable behaviours and every method but GET and HEAD go upstream with all their
end-to-end fields (RFC 9110 §7.6.1), the viewer's preconditions and Range included:
the origin answers those. A non-error answer to an unsafe method (POST, PUT, DELETE,
PATCH, and any method the POP does not know, such as ``M-SEARCH``) invalidates what this
POP stores for the target URI and for a same-origin ``Location``/``Content-Location``
(RFC 9111 §4.4): every entry under that URI, whatever its key headers or Vary selection.
"""

from __future__ import annotations

from yarl import URL

from edge.config import CacheBehavior
from edge.forwarding import passthrough_headers, upstream_url
from edge.outcome import Outcome, ViewerRequest, edge_error, split_own_headers
from edge.pop_parts import PopParts
from edge.rules.cache_control import header_value
from edge.rules.cache_key import build_key, select_behavior
from edge.rules.cache_status import CacheStatus
from edge.rules.unsafe import Target, invalidated_targets
from edge.upstream import UpstreamError, UpstreamFailure, UpstreamResponse, fetch

# What the edge answers when upstream fails, by kind of failure.
ERROR_RESPONSES: dict[UpstreamFailure, tuple[int, str]] = {
    "timeout": (504, "origin_timeout"),
    "connect": (502, "origin_unreachable"),
    "protocol": (502, "origin_invalid_response"),
    "too-large": (502, "origin_response_too_large"),
}


class Passthrough:
    def __init__(self, parts: PopParts) -> None:
        self.parts = parts

    async def forward(self, req: ViewerRequest, behavior: CacheBehavior) -> Outcome:
        assert self.parts.session is not None, "POP not started"
        self.parts.counters.bypass += 1
        self.parts.counters.origin_fetches += 1
        base = self.parts.upstream or self.parts.settings.origins[behavior.origin]
        url = str(upstream_url(base, req.path, req.raw_query))
        try:
            resp = await fetch(
                self.parts.session,
                self.parts.clock,
                req.method,
                url,
                passthrough_headers(req.headers),
                body=req.body or None,
                max_bytes=self.parts.settings.max_object_bytes,
            )
        except UpstreamError as error:
            self.parts.counters.errors += 1
            status, code = ERROR_RESPONSES[error.kind]
            return edge_error(
                self.parts.pop_id, status, code, str(error), error.kind, fwd="bypass", key=None
            )
        self.parts.counters.bytes += len(resp.body)
        self.parts.event("bypass", uri=req.path, method=req.method, status=resp.status, **req.who())
        await self._invalidate(req, resp)
        headers, upstream_status = split_own_headers(resp.headers)
        ours = CacheStatus(self.parts.pop_id, fwd="bypass", fwd_status=resp.status)
        return Outcome(
            resp.status,
            headers,
            resp.body,
            ours,
            upstream_status,
            "Miss",
            age_header(resp),
            interim=resp.interim,
            evaluate_here=False,
        )

    async def _invalidate(self, req: ViewerRequest, resp: UpstreamResponse) -> None:
        """RFC 9111 §4.4, for every target the rule names."""
        authorities = {h.lower() for h in (req.viewer_host, header_value(req.headers, "host")) if h}
        targets = invalidated_targets(
            req.method, resp.status, req.path, req.raw_query, authorities, resp.headers
        )
        for target in targets:
            uri = self._stored_uri(target, req)
            if uri is None:
                continue
            removed = await self.parts.store.delete_uri(uri)
            if self.parts.on_invalidated is not None:
                await self.parts.on_invalidated(uri)
            self.parts.event("invalidated", uri=uri, method=req.method, removed=removed)

    def _stored_uri(self, target: Target, req: ViewerRequest) -> str | None:
        """The uri the cache stores ``target`` under (its behaviour's key rules), or None
        when its behaviour does not cache."""
        path, query = target
        behavior = select_behavior(self.parts.settings.behaviors, path)
        policy = self.parts.settings.policy_for(behavior)
        if policy.caching_disabled:
            return None
        pairs = tuple(URL.build(path="/", query_string=query, encoded=True).query.items())
        return build_key(policy, path, pairs, req.headers).uri


def age_header(resp: UpstreamResponse) -> int | None:
    value = header_value(resp.headers, "age")
    return int(value) if value and value.isdigit() else None
