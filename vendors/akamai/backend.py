"""One Image Manager property: its settings and all its state (policies per network,
the derivatives each network produced, image collections), apart from any HTTP."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal, get_args
from urllib.parse import urlsplit

from common.clock import Clock
from vendors.akamai.derivatives import Derivatives
from vendors.akamai.image_collections import ImageCollections
from vendors.akamai.policy_versions import PolicySet, PolicyVersion

Network = Literal["production", "staging"]
NETWORKS: tuple[Network, ...] = get_args(Network)
_NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,31}$")


@dataclass(frozen=True)
class PropertySettings:
    """A property binds viewer requests (a path prefix and/or host names) to an origin of
    pristine images; ``luna_token`` authorises its policy API calls."""

    name: str
    luna_token: str
    origin: str  # base URL of the pristine images (any HTTP origin)
    path_prefix: str | None = None  # e.g. "/akamai/demo"; staging: "/akamai-staging/demo"
    hosts: tuple[str, ...] = ()  # Host names; staging: first label + "-staging"
    user: str = "cdnsim"  # the user history entries name
    ttl: float = 86400.0  # how long POPs keep derivatives (policy edits need no purge)
    fallback_ttl: float = 60.0  # how long they keep a pristine image served after a failure
    # (host[:port], address:port) pairs, as curl's --resolve: a composite image on that host
    # is fetched from that address (with its own name in Host). For hosts a local run cannot
    # reach, such as the seed's www.customer.com served by a server on loopback.
    resolve: tuple[tuple[str, str], ...] = ()

    def __post_init__(self) -> None:
        if not _NAME.fullmatch(self.name):
            raise ValueError(f"property name {self.name!r}: lower-case letters, digits, '-'")
        if not self.luna_token or len(self.luna_token) > 256:
            raise ValueError(f"property {self.name}: a Luna-Token is required")
        if urlsplit(self.origin).scheme not in ("http", "https"):
            raise ValueError(f"property {self.name}: origin must be an http(s) URL")
        if self.path_prefix is None and not self.hosts:
            raise ValueError(f"property {self.name}: give a path_prefix, hosts, or both")
        prefix = self.path_prefix
        if prefix is not None and (
            not prefix.startswith("/") or prefix.endswith("/") or "//" in prefix
        ):
            raise ValueError(f"property {self.name}: path_prefix like /akamai/demo")
        if not 0 < self.fallback_ttl <= self.ttl:
            raise ValueError(f"property {self.name}: need 0 < fallback_ttl <= ttl")
        for host, address in self.resolve:
            name, _, port = address.rpartition(":")
            if not host or host != host.lower() or not name or not port.isdigit():
                raise ValueError(
                    f"property {self.name}: resolve {host}={address}: a lower-case host and "
                    "an address:port"
                )


class ImagingBackend:
    def __init__(self, settings: PropertySettings, clock: Clock) -> None:
        self.settings = settings
        self.clock = clock
        self.policies = {n: PolicySet(n, clock) for n in NETWORKS}
        self.derivatives = {n: Derivatives() for n in NETWORKS}
        self.collections = ImageCollections(clock)

    @property
    def name(self) -> str:
        return self.settings.name

    def current(self, network: Network, policy_id: str) -> PolicyVersion | None:
        return self.policies[network].current(policy_id)

    def live_policies(self) -> dict[Network, dict[str, PolicyVersion]]:
        return {n: policies.live() for n, policies in self.policies.items()}

    def reset(self) -> None:
        for policies in self.policies.values():
            policies.reset()
        for derivatives in self.derivatives.values():
            derivatives.reset()
        self.collections.reset()
