"""The OpenAPI 3.1 document of the control API (JSON), served at ``/openapi.json`` on the
control app: the edge's ``/_edge/*`` routes (:mod:`edge.control`, and the invalidation
progress and purge routes of :mod:`edge.invalidation.cloudfront_api`), plus the paths of
any routes the host adds (the stack's ``/_sim/*``). CloudFront's own API on the same app
has its own document (:mod:`edge.invalidation.openapi`)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from common.openapi import (
    JSON,
    Schema,
    array,
    document,
    error_responses,
    nullable,
    obj,
    operation,
    path_param,
    query_param,
    ref,
    response,
)
from edge.control import MAX_LIMIT, MAX_WAIT
from edge.counters import Counters
from edge.invalidation.cloudfront_api import MAX_PURGE_BYTES
from edge.invalidation.model import COMPLETED, IN_PROGRESS
from edge.invalidation.openapi import INVALIDATION_REFUSALS, PATH_PATTERN
from edge.invalidation.paths import MAX_PATH_LENGTH
from edge.invalidation.service import CALLER_REFERENCE_PATTERN, MAX_CALLER_REFERENCE

DOCUMENT_PATH = "/openapi.json"
TAG_EDGE = "Edge"
INTEGER = {"type": "integer", "minimum": 0}
NUMBER = {"type": "number"}
STRING = {"type": "string"}


def errors(*statuses: str) -> dict[str, Any]:
    """The error responses of a control operation: ``statuses`` and 405 (with ``Allow``)."""
    described = {
        "400": "a bad parameter or body (the field or parameter at fault is named)",
        "403": "not a loopback client",
        "404": "no such thing",
        "405": "method not allowed, with Allow",
        "409": "refused in this state",
        "413": "body too large",
    }
    return error_responses(described, ref("Error"), JSON, (*statuses, "405"))


CONTROL_SCHEMAS: dict[str, Schema] = {
    "Error": obj(
        {"code": STRING, "message": STRING, "status": {"type": "integer"}},
        required=["code", "message", "status"],
        extra=True,
        description="Details may follow (field, parameter, limit).",
    ),
    "PopProgress": obj(
        {
            "pop": STRING,
            "delay": NUMBER,
            "dueAt": NUMBER,
            "appliedAt": nullable(NUMBER),
            "purged": nullable(INTEGER),
            "status": {"type": "string", "enum": ["Pending", "Retrying", "Applied"]},
            "attempts": INTEGER,
            "lastError": nullable(STRING),
        },
        required=["pop", "delay", "dueAt", "appliedAt", "purged", "status", "attempts"],
    ),
    "Invalidation": obj(
        {
            "id": STRING,
            "status": {"type": "string", "enum": [IN_PROGRESS, COMPLETED]},
            "paths": array(STRING),
            "callerReference": STRING,
            "createTime": NUMBER,
            "completedAt": nullable(NUMBER),
            "pops": array(ref("PopProgress")),
        },
        required=["id", "status", "paths", "callerReference", "createTime", "pops"],
    ),
    "Event": obj(
        {
            "seq": {"type": "integer", "minimum": 1},
            "time": NUMBER,
            "component": STRING,
            "kind": STRING,
            "data": {"type": "object"},
        },
        required=["seq", "time", "component", "kind", "data"],
    ),
}


# What ServedApp.stats() counts (common.connections.ConnectionGate).
CONNECTION_COUNTERS = ("open", "max", "refused", "reclaimed", "header_timeouts")


def _pop_operations() -> dict[str, Any]:
    pop_id = path_param("id", STRING, "a POP id, or the shield's")
    counters = {name: INTEGER for name in Counters().as_dict()}
    stats = obj(
        {
            "id": STRING,
            "role": {"type": "string", "enum": ["pop", "shield"]},
            **counters,
            "volume": INTEGER,
            "workers": {"type": "integer", "minimum": 1},
            "connections": obj(
                {name: INTEGER for name in CONNECTION_COUNTERS},
                required=CONNECTION_COUNTERS,
                description="its server's connections in the edge's own process (README: Limits)",
            ),
        },
        required=["id", "role", *counters, "volume", "workers"],
    )
    key = obj(
        {
            "key": STRING,
            "uri": STRING,
            "status": {"type": "integer"},
            "age": NUMBER,
            "ttl": NUMBER,
            "bytes": INTEGER,
        },
        required=["key", "uri", "status", "age", "ttl", "bytes"],
    )
    pop = obj(
        {"id": STRING, "role": {"type": "string", "enum": ["pop", "shield"]}, "url": STRING},
        required=["id", "role", "url"],
    )
    limit = query_param("limit", {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT})
    return {
        "/_edge/pops": {
            "get": operation(
                "listPops",
                "Every POP and the shield",
                {
                    "200": response("the POPs", obj({"pops": array(pop)}, required=["pops"])),
                    **errors(),
                },
                tag=TAG_EDGE,
            )
        },
        "/_edge/pops/{id}/stats": {
            "get": operation(
                "getPopStats",
                "A POP's counters (all its worker processes)",
                {"200": response("the counters", stats), **errors("404")},
                tag=TAG_EDGE,
                params=[pop_id],
            )
        },
        "/_edge/pops/{id}/keys": {
            "get": operation(
                "listPopKeys",
                "A POP's cached entries, with age and remaining TTL (negative once stale)",
                {
                    "200": response(
                        "the entries",
                        obj({"id": STRING, "keys": array(key)}, required=["id", "keys"]),
                    ),
                    **errors("400", "404"),
                },
                tag=TAG_EDGE,
                params=[pop_id, limit],
            )
        },
    }


def _event_operations() -> dict[str, Any]:
    window = ("oldest", "missed", "dropped")  # the log's bounded window (README: Limits)
    events = obj(
        {"events": array(ref("Event")), "last": INTEGER, "newest": INTEGER}
        | {name: INTEGER for name in window},
        required=["events", "last", "newest", *window],
    )
    params = [
        query_param(
            "since",
            {"type": "integer", "minimum": 0, "maximum": 2**62},
            "events after this sequence number",
        ),
        query_param("kind", STRING, "comma-separated kinds"),
        query_param("component", STRING),
        query_param("limit", {"type": "integer", "minimum": 0, "maximum": MAX_LIMIT}),
        query_param(
            "wait",
            {"type": "number", "minimum": 0, "maximum": MAX_WAIT},
            "long poll: wall seconds to wait for a matching event",
        ),
    ]
    return {
        "/_edge/events": {
            "get": operation(
                "listEvents",
                "The event log after a sequence number",
                {"200": response("the events", events), **errors("400")},
                tag=TAG_EDGE,
                params=params,
            )
        }
    }


def _metrics_operations() -> dict[str, Any]:
    text = {"type": "string", "description": "Prometheus text exposition format"}
    return {
        "/metrics": {
            "get": operation(
                "getMetrics",
                "Counters for Prometheus: per POP requests, hits, misses, stale, collapsed, "
                "origin fetches, bytes; invalidations per POP; in a stack, the origin's renders "
                "and the aggregator's queue. OpenMetrics when Accept asks for it.",
                {
                    "200": response(
                        "the metrics", text, "text/plain", "application/openmetrics-text"
                    ),
                    **errors(),
                },
                tag=TAG_EDGE,
            )
        }
    }


def _invalidation_operations() -> dict[str, Any]:
    purge = obj(
        {
            "paths": array(
                {"type": "string", "maxLength": MAX_PATH_LENGTH, "pattern": PATH_PATTERN},
                min_items=1,
                max_items=3000,
            ),
            "callerReference": {
                "type": "string",
                "minLength": 1,
                "maxLength": MAX_CALLER_REFERENCE,
                "pattern": CALLER_REFERENCE_PATTERN,
            },
        },
        required=["paths"],
        description="Exact URLs (query included) or prefixes ending in '*'.",
    )
    listing = obj(
        {"distributionId": STRING, "invalidations": array(ref("Invalidation"))},
        required=["distributionId", "invalidations"],
    )
    return {
        "/_edge/invalidations": {
            "get": operation(
                "listEdgeInvalidations",
                "Invalidations with per-POP progress (the latest 1,000)",
                {"200": response("the invalidations", listing), **errors()},
                tag=TAG_EDGE,
            )
        },
        "/_edge/invalidations/{Id}": {
            "get": operation(
                "getEdgeInvalidation",
                "One invalidation with per-POP progress",
                {"200": response("the invalidation", ref("Invalidation")), **errors("404")},
                tag=TAG_EDGE,
                params=[path_param("Id", STRING)],
            )
        },
        "/_edge/purge": {
            "post": operation(
                "purge",
                f"Purge URLs or prefixes: an invalidation (bodies up to {MAX_PURGE_BYTES} bytes)",
                {
                    "201": response("the invalidation", ref("Invalidation")),
                    **errors("400", "409", "413"),
                },
                tag=TAG_EDGE,
                body=purge,
                refusals=INVALIDATION_REFUSALS,
            )
        },
    }


def build_control_document(extra_paths: Mapping[str, Any] | None = None) -> dict[str, Any]:
    """The control API's document; ``extra_paths``: the host's own routes (``/_sim/*``)."""
    return document(
        "cdnsim control API",
        "1",
        "The edge's control plane (loopback only): POPs, their counters and cached keys, the "
        "event log, invalidation progress and purges, and the stack's simulated time and run "
        'control when it hosts them. Errors are JSON: {"code", "message", "status"}.',
        {
            **_pop_operations(),
            **_event_operations(),
            **_metrics_operations(),
            **_invalidation_operations(),
            **(extra_paths or {}),
        },
        schemas=CONTROL_SCHEMAS,
    )
