"""Edge settings: frozen dataclasses validated once, loadable from a JSON file.

The shape follows CloudFront: a distribution has cache behaviours (path pattern →
cache policy → origin, first match wins, the default ``*`` last) and cache policies
(what enters the key, min/default/max TTL).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any, Literal, get_args

from common.serving import ConnectionLimits

Profile = Literal["cloudfront", "rfc9111"]
ListBehavior = Literal["none", "all", "allow", "deny"]
Eviction = Literal["least-recently-stored", "least-recently-used", "least-frequently-used", "none"]

_POP_ID = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_-]{0,31}$")
_HEADER = re.compile(r"^[!#$%&'*+.^_`|~0-9A-Za-z-]+$")


@dataclass(frozen=True)
class CachePolicy:
    """What enters the cache key and how long things stay (CloudFront cache policy)."""

    name: str
    min_ttl: float = 0.0
    default_ttl: float = 86400.0
    max_ttl: float = 31536000.0
    query_strings: ListBehavior = "all"
    query_list: tuple[str, ...] = ()  # names for "allow" / "deny"
    headers: tuple[str, ...] = ()  # header names in the key
    cookies: ListBehavior = "none"
    cookie_list: tuple[str, ...] = ()
    normalize_query: bool = True  # sort parameters so ?a=1&b=2 and ?b=2&a=1 share an entry
    # RFC 9213 targeted fields this cache obeys instead of Cache-Control, first valid one
    # wins (e.g. ("Akamai-Cache-Control", "CDN-Cache-Control")); None: the profile's.
    targeted_cache_control: tuple[str, ...] | None = None

    def __post_init__(self) -> None:
        if not 0 <= self.min_ttl <= self.default_ttl <= self.max_ttl:
            raise ValueError(f"policy {self.name!r}: need 0 <= min_ttl <= default_ttl <= max_ttl")
        for name in self.targeted_cache_control or ():
            if not _HEADER.match(name):
                raise ValueError(f"policy {self.name!r}: bad targeted field name {name!r}")
        for value, allowed in ((self.query_strings, ListBehavior), (self.cookies, ListBehavior)):
            if value not in get_args(allowed):
                raise ValueError(f"policy {self.name!r}: unknown list behaviour {value!r}")
        for name in self.headers:
            if not _HEADER.fullmatch(name):
                raise ValueError(f"policy {self.name!r}: bad header name {name!r}")

    @property
    def caching_disabled(self) -> bool:
        """CloudFront's CachingDisabled: every TTL 0, requests pass through."""
        return self.max_ttl == 0


CACHING_OPTIMIZED = CachePolicy("CachingOptimized", 1.0, 86400.0, 31536000.0, query_strings="none")
CACHING_DISABLED = CachePolicy("CachingDisabled", 0.0, 0.0, 0.0)


@dataclass(frozen=True)
class CacheBehavior:
    """Requests whose path matches ``path_pattern`` use ``policy`` and go to ``origin``."""

    path_pattern: str  # CloudFront syntax: '*' any run of characters, '?' one character
    policy: str
    origin: str  # a key of EdgeSettings.origins

    def __post_init__(self) -> None:
        if not self.path_pattern or len(self.path_pattern) > 255:
            raise ValueError("a path pattern has 1 to 255 characters")


@dataclass(frozen=True)
class PopSettings:
    id: str
    host: str = "127.0.0.1"
    port: int = 0  # 0: any free port
    workers: int = 1  # processes sharing the port (SO_REUSEPORT) and the cache directory
    cache_dir: str | None = None  # None: in-memory store
    size_limit: int = 256 * 1024 * 1024
    eviction_policy: Eviction = "least-recently-stored"
    memory_limit: int = 64 * 1024 * 1024  # per-process memory layer over the disk store; 0: none

    def __post_init__(self) -> None:
        if not _POP_ID.fullmatch(self.id):
            raise ValueError(f"bad POP id {self.id!r}")
        if self.workers < 1 or self.size_limit < 1 or not 0 <= self.port < 65536:
            raise ValueError(f"POP {self.id}: workers, size_limit and port out of range")
        if self.workers > 1 and self.cache_dir is None:
            raise ValueError(f"POP {self.id}: several workers need a cache_dir to share")
        if self.eviction_policy not in get_args(Eviction):
            raise ValueError(f"POP {self.id}: unknown eviction policy {self.eviction_policy!r}")


@dataclass(frozen=True)
class ShieldSettings(PopSettings):
    """The origin shield: a POP with no viewers that every POP fills from."""

    id: str = "shield"


@dataclass(frozen=True)
class Timeouts:
    """Wall-clock seconds: upstream waits must end even when simulated time stands still."""

    connect: float = 10.0  # CloudFront's default origin connection timeout
    read: float = 30.0  # CloudFront's default origin response timeout
    coalesce_wait: float = 30.0  # how long a collapsed request waits before going itself
    total: float = 300.0  # one upstream exchange at most, even if it trickles bytes


@dataclass(frozen=True)
class ProfileTraits:
    """How a profile treats requests, beyond its TTL rules (``edge.rules.ttl``)."""

    honor_request_cache_control: bool  # RFC 9111 §5.2.1; CloudFront ignores it
    # Authorization goes upstream on cacheable requests (RFC 9111 §3.5); CloudFront
    # forwards it only when the cache policy puts it in the key.
    forward_authorization: bool
    # Methods outside CloudFront's seven are forwarded (RFC 9110 §9.1: an intermediary
    # forwards methods it does not know) rather than refused.
    forward_unknown_methods: bool
    targeted_cache_control: tuple[str, ...]  # RFC 9213, unless a policy names its own


PROFILE_TRAITS: dict[str, ProfileTraits] = {
    "cloudfront": ProfileTraits(False, False, False, ()),
    "rfc9111": ProfileTraits(True, True, True, ("CDN-Cache-Control",)),
}


@dataclass(frozen=True)
class EdgeSettings:
    origins: dict[str, str]  # origin id → base URL
    behaviors: tuple[CacheBehavior, ...]  # ordered; the last should be '*'
    policies: dict[str, CachePolicy] = field(default_factory=dict)
    profile: Profile = "cloudfront"
    pops: tuple[PopSettings, ...] = (PopSettings("pop-1"),)
    shield: ShieldSettings | None = None
    distribution_id: str = "ECDNSIM000001"
    debug: bool = False  # add key= to Cache-Status on every response
    error_ttl: float = 10.0  # cloudfront: how long 4xx/5xx without freshness are cached
    heuristic_fraction: float = 0.1  # RFC 9111 §4.2.2 "typical setting"
    heuristic_max: float = 86400.0
    max_object_bytes: int = 64 * 1024 * 1024
    max_request_bytes: int = 32 * 1024 * 1024
    timeouts: Timeouts = field(default_factory=Timeouts)
    control_port: int = 0
    # How long invalidations take to reach each POP (edge.invalidation.DelayModel config);
    # None: the profile's default.
    invalidation_delays: dict[str, Any] | None = None
    seed: int | None = None
    hit_events: bool = True  # log every hit (benchmarks turn it off: the log is in memory)
    # Header and keep-alive timeouts and the connection cap of every POP, shield and control
    # server (each worker process of a POP has its own cap).
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)

    def __post_init__(self) -> None:
        if self.profile not in get_args(Profile):
            raise ValueError(f"unknown profile {self.profile!r}")
        if not self.behaviors:
            raise ValueError("at least one cache behaviour is needed")
        all_policies = {**BUILTIN_POLICIES, **self.policies}
        for behavior in self.behaviors:
            if behavior.policy not in all_policies:
                raise ValueError(
                    f"behaviour {behavior.path_pattern!r}: unknown policy {behavior.policy!r}"
                )
            if behavior.origin not in self.origins:
                raise ValueError(
                    f"behaviour {behavior.path_pattern!r}: unknown origin {behavior.origin!r}"
                )
        if self.shield is not None and self.shield.workers != 1:
            raise ValueError("the shield runs as one process: it coalesces misses from every POP")
        ids = [p.id for p in self.pops] + ([self.shield.id] if self.shield else [])
        if len(set(ids)) != len(ids):
            raise ValueError("POP ids must be unique")
        object.__setattr__(self, "policies", all_policies)

    def policy_for(self, behavior: CacheBehavior) -> CachePolicy:
        return self.policies[behavior.policy]

    @property
    def traits(self) -> ProfileTraits:
        return PROFILE_TRAITS[self.profile]

    def targeted_fields(self, policy: CachePolicy) -> tuple[str, ...]:
        """The RFC 9213 fields a behaviour with ``policy`` obeys, in order."""
        if policy.targeted_cache_control is not None:
            return policy.targeted_cache_control
        return self.traits.targeted_cache_control


# CloudFront's managed "UseOriginCacheControlHeaders": the origin decides, nothing by default.
USE_ORIGIN_HEADERS = CachePolicy(
    "UseOriginCacheControlHeaders", 0.0, 0.0, 31536000.0, query_strings="all"
)
BUILTIN_POLICIES = {p.name: p for p in (CACHING_OPTIMIZED, CACHING_DISABLED, USE_ORIGIN_HEADERS)}

# Every client parameter of the image API changes the rendered bytes, so all of them
# enter the key; the Host names the tenant and the access key header its view.
VIMOND_IMAGES = CachePolicy(
    "VimondImages",
    0.0,
    86400.0,
    31536000.0,
    query_strings="all",
    headers=("Host", "X-vimond-access-key"),
)
# Every path that serves a tenant's image bytes or redirects to them: the image API, the
# stored variants its 302 points at, and the legacy paths (301 to the image API). The
# origin guards each with the tenant's access key, so each is keyed by it.
VIMOND_IMAGE_PATHS = ("/api/v2/img/*", "/api/v2/variants/*", "/api/v1/img/*", "/api/img/*")
# Admin, status and invalidation paths of spec/vimond-api.md: never cached.
VIMOND_PASSTHROUGH = ("/adminAPI/*", "/api/ping", "/api/systemsCheck", "/*-lof/images/*")


def vimond_behaviors(origin_url: str, **overrides: Any) -> EdgeSettings:
    """The built-in Vimond distribution: images cached with every client parameter in the
    key, admin/status/invalidation passed through, the rest as the origin's headers say."""
    behaviors: tuple[CacheBehavior, ...] = tuple(
        CacheBehavior(p, VIMOND_IMAGES.name, "origin") for p in VIMOND_IMAGE_PATHS
    )
    behaviors += tuple(
        CacheBehavior(p, CACHING_DISABLED.name, "origin") for p in VIMOND_PASSTHROUGH
    )
    behaviors += (CacheBehavior("*", "VimondDefault", "origin"),)
    default = CachePolicy(
        "VimondDefault", 0.0, 0.0, 31536000.0, query_strings="all", headers=("Host",)
    )
    policies = {VIMOND_IMAGES.name: VIMOND_IMAGES, default.name: default}
    return EdgeSettings({"origin": origin_url}, behaviors, policies, **overrides)


def generic_settings(
    origin_url: str, port: int, profile: Profile, *, workers: int = 1, cache_dir: str | None = None
) -> EdgeSettings:
    """One POP in front of any origin, every query parameter in the key."""
    policy = CachePolicy("Generic", 0.0, 86400.0, 31536000.0, query_strings="all")
    return EdgeSettings(
        {"origin": origin_url},
        (CacheBehavior("*", policy.name, "origin"),),
        {policy.name: policy},
        profile=profile,
        pops=(PopSettings("pop-1", port=port, workers=workers, cache_dir=cache_dir),),
    )
