"""The imgix property: viewer URLs of a source become canonical internal requests.

What the property decides is in the internal path and query, hence in the cache key: the
source (by id), the image path, and the rendering parameters after the source's
``default_params``, with invalid ones dropped, sorted, and ``auto=format`` resolved to an
``fm`` for the viewer's ``Accept``. It answers itself for a host no source serves (404),
a bad or missing signature on a secured source (403) and ``/crossdomain.xml``.
A disabled source is still rewritten, so that what is cached keeps being served and
everything else reaches the rendering service, which answers 410.
"""

from __future__ import annotations

from collections.abc import Sequence
from copy import deepcopy
from dataclasses import replace
from typing import Protocol
from urllib.parse import quote

from common.clock import Clock
from edge.outcome import Outcome, ViewerRequest, edge_error
from edge.rules.cache_status import CacheStatus
from vendors.imgix.addressing import delivery_target, host_key, internal_path, signature_ok
from vendors.imgix.params import SIGNATURE, choose_format, normalise
from vendors.imgix.sources import PublishedSources, Source, Sources

CROSSDOMAIN_XML = (
    '<?xml version="1.0"?>\n<!DOCTYPE cross-domain-policy SYSTEM '
    '"http://www.adobe.com/xml/dtds/cross-domain-policy.dtd">\n'
    '<cross-domain-policy><allow-access-from domain="*" secure="false"/></cross-domain-policy>\n'
)


class SourceDirectory(Protocol):
    """What the property reads: which source serves a host (the account's live
    :class:`~vendors.imgix.sources.Sources`, or a snapshot in a worker process)."""

    def serving(self, host: str, now: float) -> Source | None: ...


def published(sources: Sources) -> PublishedSources:
    return PublishedSources(tuple(deepcopy(list(sources))))


def build_properties(sources: PublishedSources, clock: Clock) -> Sequence[ImgixProperty]:
    """The property a worker process applies (see :class:`edge.vendor.Replica`)."""
    return [ImgixProperty(sources, clock)]


class ImgixProperty:
    name = "imgix"

    def __init__(self, sources: SourceDirectory, clock: Clock) -> None:
        self.sources, self.clock = sources, clock

    def claims(self, request: ViewerRequest) -> bool:
        return self._target(request) is not None

    def _target(self, request: ViewerRequest) -> tuple[tuple[str, str], Source | None] | None:
        """The source's key and the image path the request names, with the source (None
        when no deployed source is known by that name); None when it is not imgix's."""
        host = next((v for k, v in request.headers if k.lower() == "host"), "")
        now = self.clock.now()
        target = delivery_target(host, request.path)
        if target is None:  # perhaps a custom domain
            source = self.sources.serving(host_key(host), now)
            if source is None:
                return None
            return (host_key(host), request.path), source
        return target, self.sources.serving(target[0], now)

    async def rewrite(self, request: ViewerRequest, pop_id: str) -> ViewerRequest | Outcome | None:
        found = self._target(request)
        if found is None:
            return None
        target, source = found
        if source is None or source.live is None:
            return edge_error(
                pop_id,
                404,
                "imgix_unknown_source",
                f"no deployed source answers for {target[0]!r}",
                "imgix",
                fwd=None,
                key=None,
            )
        deployment, image_path = source.live, target[1]
        if image_path == "/crossdomain.xml" and deployment["crossdomain_xml_enabled"]:
            return _crossdomain(pop_id)
        if deployment["secure_url_enabled"]:
            given = next((v for k, v in reversed(request.query) if k == SIGNATURE), None)
            if not signature_ok(source.secure_url_token, image_path, request.raw_query, given):
                return edge_error(
                    pop_id,
                    403,
                    "imgix_bad_signature",
                    "this source needs a valid signature (s=)",
                    "imgix",
                    fwd=None,
                    key=None,
                )
        accept = next((v for k, v in request.headers if k.lower() == "accept"), "")
        params = choose_format(normalise(request.query, deployment["default_params"]), accept)
        query = tuple(sorted(params.items()))
        raw = "&".join(f"{quote(k, safe='')}={quote(v, safe='')}" for k, v in query)
        return replace(
            request, path=internal_path(source.id, image_path), query=query, raw_query=raw
        )


def _crossdomain(pop_id: str) -> Outcome:
    headers = (
        ("Content-Type", "text/x-cross-domain-policy"),
        ("Cache-Control", "public, max-age=86400"),
    )
    return Outcome(
        200,
        headers,
        CROSSDOMAIN_XML.encode(),
        CacheStatus(pop_id, detail="imgix"),
        None,
        "Miss",
        None,
    )
