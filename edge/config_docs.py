"""What each key of an edge settings file means: the descriptions of
``edge/config.schema.json`` (see :mod:`edge.config_schema`). Every settings field needs
one; a test says which is missing."""

from __future__ import annotations

from typing import Any

DOCUMENT_DESCRIPTION = (
    "The settings of `cdnsim edge --config FILE`: origins, cache behaviours (path pattern → "
    "cache policy → origin, first match wins, the last should be '*'), cache policies, POPs, "
    "an optional shield, and how the edge behaves. Times are simulated seconds unless said."
)

DESCRIPTIONS: dict[str, str] = {
    "EdgeSettings.origins": "origin id → base URL (http:// or https://); behaviours name the id",
    "EdgeSettings.behaviors": (
        "cache behaviours in order: the first whose path_pattern matches a request's path "
        "decides its policy and origin; end with '*'"
    ),
    "EdgeSettings.policies": (
        "cache policy name → policy; besides these, behaviours may name the built-in "
        "CachingOptimized, CachingDisabled and UseOriginCacheControlHeaders"
    ),
    "EdgeSettings.profile": (
        "cloudfront: CloudFront's TTL clamping, errors cached error_ttl, invalidations taking "
        "10–100 s per POP; rfc9111: a strict shared cache"
    ),
    "EdgeSettings.pops": "the edge POPs viewers reach, each on its own port",
    "EdgeSettings.shield": "an origin shield every POP fills from (null: POPs go to the origin)",
    "EdgeSettings.distribution_id": "the id the CloudFront-compatible invalidation API answers to",
    "EdgeSettings.debug": "add key= (the cache key) to every Cache-Status header",
    "EdgeSettings.error_ttl": "cloudfront profile: how long a 4xx/5xx without freshness is cached",
    "EdgeSettings.heuristic_fraction": (
        "RFC 9111 §4.2.2: share of the age since Last-Modified used as a heuristic lifetime"
    ),
    "EdgeSettings.heuristic_max": "the largest heuristic lifetime, seconds",
    "EdgeSettings.max_object_bytes": "larger responses pass through uncached",
    "EdgeSettings.max_request_bytes": "larger request bodies are refused with 413",
    "EdgeSettings.timeouts": "upstream timeouts in wall-clock seconds",
    "EdgeSettings.control_port": "the control API's port (0: any free port)",
    "EdgeSettings.invalidation_delays": (
        "how long an invalidation takes to reach each POP (null: the profile's default)"
    ),
    "EdgeSettings.seed": "seeds the invalidation delays and ids (null: random)",
    "EdgeSettings.hit_events": "log every hit in the event log (benchmarks turn it off)",
    "EdgeSettings.connections": "connection limits of every POP, shield and control server "
    "(each worker process of a POP has its own cap)",
    "EdgeSettings.vimond_origin": (
        "shorthand: the built-in Vimond behaviours and policies in front of this origin URL "
        "(instead of origins and behaviors)"
    ),
    "CachePolicy.min_ttl": "the least time an object stays (overrides no-cache in cloudfront)",
    "CachePolicy.default_ttl": "the time an object stays when the origin says nothing",
    "CachePolicy.max_ttl": "the most time an object stays (0 for every TTL: caching disabled)",
    "CachePolicy.query_strings": (
        "which query parameters enter the key: none, all, allow (query_list), deny (all but "
        "query_list)"
    ),
    "CachePolicy.query_list": "parameter names for allow or deny",
    "CachePolicy.headers": "request header names whose values enter the key",
    "CachePolicy.cookies": "which cookies enter the key: none, all, allow, deny (cookie_list)",
    "CachePolicy.cookie_list": "cookie names for allow or deny",
    "CachePolicy.normalize_query": "sort parameters so ?a=1&b=2 and ?b=2&a=1 share an entry",
    "CachePolicy.targeted_cache_control": (
        "RFC 9213 targeted fields this cache obeys instead of Cache-Control, the first valid "
        'one wins (e.g. ["CDN-Cache-Control"]); null: the profile\'s'
    ),
    "CacheBehavior.path_pattern": "'*' any run of characters, '?' one character; 1–255 long",
    "CacheBehavior.policy": "a cache policy's name (from policies or built in)",
    "CacheBehavior.origin": "an origin id from origins",
    "PopSettings.id": "letters, digits, '-' and '_', up to 32; unique",
    "PopSettings.host": "listen address",
    "PopSettings.port": "listen port (0: any free port)",
    "PopSettings.workers": "processes sharing the port and the cache (more than 1 needs cache_dir)",
    "PopSettings.cache_dir": "diskcache directory (null: in memory)",
    "PopSettings.size_limit": "cache size limit in bytes",
    "PopSettings.eviction_policy": "diskcache's eviction policy when the cache is full",
    "PopSettings.memory_limit": "bytes of per-process memory layer over a disk cache (0: none)",
    "ShieldSettings.id": "the shield's id (default 'shield'); it runs as one process",
    "Timeouts.connect": "seconds to connect to the origin (CloudFront's default 10)",
    "Timeouts.read": "seconds to wait for the origin's response (CloudFront's default 30)",
    "Timeouts.coalesce_wait": "seconds a collapsed request waits before going upstream itself",
    "Timeouts.total": "seconds one upstream exchange may take at most",
    "ConnectionLimits.header_timeout": "seconds a connection may take to send a request line "
    "and headers, from the accept or the first byte of a kept-alive request (nginx: 60)",
    "ConnectionLimits.keepalive_timeout": "seconds an idle kept-alive connection stays open "
    "(nginx: 75)",
    "ConnectionLimits.max_connections": "open connections per server; past it idle ones are "
    "closed to make room, and when all are busy new ones get a 503",
    "ConnectionLimits.backlog": "connections the kernel queues before they are accepted",
}

_SECONDS = {"type": "number", "minimum": 0}

# invalidation_delays is free-form in the dataclass (edge.invalidation.DelayModel reads it).
INVALIDATION_DELAYS: dict[str, Any] = {
    "description": DESCRIPTIONS["EdgeSettings.invalidation_delays"],
    "anyOf": [
        {"type": "null"},
        {
            "type": "object",
            "properties": {
                "kind": {
                    "enum": ["fixed", "uniform", "lognormal"],
                    "description": "fixed: seconds; uniform: min–max; lognormal: median, "
                    "sigma, clamped to min–max",
                },
                "seconds": {**_SECONDS, "description": "fixed: every POP after this delay"},
                "min": {**_SECONDS, "description": "uniform: the least delay; lognormal: clamp"},
                "max": {**_SECONDS, "description": "uniform: the most delay; lognormal: clamp"},
                "median": {**_SECONDS, "description": "lognormal: the median delay"},
                "sigma": {**_SECONDS, "description": "lognormal: the spread"},
                "per_pop": {
                    "type": "object",
                    "additionalProperties": _SECONDS,
                    "description": "fixed delays for the POPs named, whatever the kind",
                },
            },
            "required": ["kind"],
            "additionalProperties": False,
        },
    ],
    "default": None,
}
