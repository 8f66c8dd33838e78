"""The Image Manager property at the POP: a viewer request for one of its images becomes
the internal request of one derivative (see :mod:`vendors.akamai.addressing`), so the policy,
its version, the breakpoint and the format are in the cache key. Bad parameters are
answered here, never reaching cache or origin."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Protocol
from urllib.parse import urlencode

from common.clock import Clock
from edge.outcome import Outcome, ViewerRequest, edge_error
from edge.rules.cache_control import header_value
from imaging.formats import producible_formats
from vendors.akamai.addressing import Derivative, Network, claim
from vendors.akamai.backend import PropertySettings
from vendors.akamai.delivery import (
    DeliveryError,
    accepted_formats,
    breakpoints,
    browser_of,
    candidate_formats,
    parse_imwidth,
    pick_width,
)
from vendors.akamai.policy_validation import AUTO
from vendors.akamai.policy_versions import PolicyVersion
from vendors.akamai.variables import VariableError, request_values


class LivePolicies(Protocol):
    """What a property reads: its settings and each network's live policy versions (the
    backend itself in the edge's process, a :class:`PublishedPolicies` in a worker)."""

    @property
    def settings(self) -> PropertySettings: ...

    def current(self, network: Network, policy_id: str) -> PolicyVersion | None: ...


@dataclass(frozen=True)
class PublishedPolicies:
    """A picklable snapshot of one property's live policies, for worker processes."""

    settings: PropertySettings
    live: Mapping[Network, Mapping[str, PolicyVersion]]

    def current(self, network: Network, policy_id: str) -> PolicyVersion | None:
        return self.live[network].get(policy_id)


def build_properties(
    published: Sequence[PublishedPolicies], clock: Clock
) -> list[ImageManagerProperty]:
    """The properties a worker process applies (see :class:`edge.vendor.Replica`)."""
    formats = producible_formats()
    return [ImageManagerProperty(p, formats) for p in published]


class ImageManagerProperty:
    def __init__(self, policies: LivePolicies, producible: Collection[str]) -> None:
        self.policies = policies
        self.name = policies.settings.name
        self.producible = frozenset(producible)

    def claims(self, request: ViewerRequest) -> bool:
        return self._claim(request) is not None

    def _claim(self, request: ViewerRequest) -> tuple[Network, str] | None:
        host = header_value(request.headers, "host") or ""
        return claim(self.policies.settings, host, request.path)

    async def rewrite(self, request: ViewerRequest, pop_id: str) -> ViewerRequest | Outcome | None:
        claimed = self._claim(request)
        if claimed is None:
            return None
        if request.method not in ("GET", "HEAD"):
            return edge_error(
                pop_id,
                405,
                "method_not_allowed",
                "images are read with GET or HEAD",
                "image-manager",
                fwd=None,
                key=None,
            )
        try:
            return self._derivative_request(request, *claimed)
        except (DeliveryError, VariableError) as error:
            return edge_error(
                pop_id, 400, "bad_image_request", str(error), "image-manager", fwd=None, key=None
            )

    def _derivative_request(
        self, request: ViewerRequest, network: Network, image_path: str
    ) -> ViewerRequest:
        query: dict[str, str] = {}
        for name, value in request.query:
            query.setdefault(name, value)
        policy_id = query.get("impolicy", AUTO)
        stored = self.policies.current(network, policy_id)
        if stored is None:
            raise DeliveryError(f"impolicy {policy_id[:80]!r}: no such policy on {network}")
        policy = stored.policy
        width = pick_width(breakpoints(policy), parse_imwidth(query.get("imwidth")))
        imformat = query.get("imformat")
        browser = browser_of(imformat, header_value(request.headers, "user-agent") or "")
        accepted = (
            accepted_formats(header_value(request.headers, "accept") or "")
            if imformat is None
            else set()
        )
        formats = candidate_formats(policy.get("output", {}), browser, accepted, self.producible)
        overrides = request_values(policy.get("variables", []), request.query)
        derivative = Derivative(
            self.name,
            network,
            policy_id,
            stored.version,
            width,
            formats,
            image_path,
        )
        pairs = tuple(sorted(overrides.items()))
        return replace(
            request, path=derivative.internal_path(), query=pairs, raw_query=urlencode(pairs)
        )
