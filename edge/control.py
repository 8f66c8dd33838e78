"""The edge's control API (JSON): POPs, their counters and cached keys, the event log.

GET /_edge/pops                 → every POP and the shield: id, role, url
GET /_edge/pops/{id}/stats      → counters (requests, hits, misses, stale, collapsed, bytes, …)
                                  and its server's ``connections`` (open, max, refused, reclaimed,
                                  header_timeouts; the edge's own process only)
GET /_edge/pops/{id}/keys       → cached entries: key, uri, status, age, remaining ttl
GET /metrics                    → the counters in Prometheus's text format (edge.metrics)
GET /_edge/events?since=N&kind=a,b&component=edge&limit=M&wait=S → events after sequence N
    (``last``: the newest returned, ``newest``: the newest logged, ``oldest``: the oldest
    the log still holds, ``missed``: events after N that left the log before this read,
    of any kind, ``dropped``: every event that left it so far); with ``wait``, an empty
    answer waits up to S wall seconds (at most 30) for a matching event
"""

from __future__ import annotations

import contextlib
import re
from collections.abc import Awaitable, Callable, Mapping

from aiohttp import web

from common.errors import BadRequest, NotFound, json_errors
from common.events import Event, EventLog
from edge.app_keys import BEFORE_READING, CONTROL_POPS, EVENTS
from edge.metrics import METRICS, MetricsSource, PopMetrics, serve_metrics
from edge.pop_view import PopEntry

MAX_LIMIT = 10_000
_DIGITS = re.compile("[0-9]{1,19}")


async def _nothing_to_flush() -> None:
    pass


def create_control_app(
    pops: Mapping[str, PopEntry],
    events: EventLog,
    *,
    before_reading: Callable[[], Awaitable[None]] = _nothing_to_flush,
) -> web.Application:
    """``before_reading``: awaited before the event log is read, so that events held in
    worker processes are in it (see edge.worker_pool)."""
    app = web.Application(middlewares=[json_errors])
    app[CONTROL_POPS] = entries = dict(pops)
    app[EVENTS] = events
    app[BEFORE_READING] = before_reading
    app.router.add_get("/_edge/pops", list_pops)
    app.router.add_get("/_edge/pops/{id}/stats", get_pop_stats)
    app.router.add_get("/_edge/pops/{id}/keys", list_pop_keys)
    app.router.add_get("/_edge/events", list_events)
    sources: list[MetricsSource] = [PopMetrics(entries)]
    app[METRICS] = sources  # the host adds its own
    app.router.add_get("/metrics", serve_metrics)
    return app


async def list_pops(request: web.Request) -> web.Response:
    pops = request.app[CONTROL_POPS].values()
    return web.json_response(
        {"pops": [{"id": p.view.pop_id, "role": p.role, "url": p.url} for p in pops]}
    )


async def get_pop_stats(request: web.Request) -> web.Response:
    entry = _pop(request)
    stats = {"id": entry.view.pop_id, "role": entry.role, **(await entry.view.stats())}
    if entry.connections is not None:
        stats["connections"] = entry.connections()
    return web.json_response(stats)


async def list_pop_keys(request: web.Request) -> web.Response:
    entry = _pop(request)
    limit = _int_param(request, "limit", 1000)
    return web.json_response({"id": entry.view.pop_id, "keys": await entry.view.listing(limit)})


async def list_events(request: web.Request) -> web.Response:
    since = _int_param(request, "since", 0)
    limit = _int_param(request, "limit", MAX_LIMIT)
    kinds = [k for k in request.query.get("kind", "").split(",") if k] or None
    component = request.query.get("component") or None
    log = request.app[EVENTS]
    await request.app[BEFORE_READING]()
    missed = log.missed(since)  # before reading: what this answer cannot contain
    events = log.read(since, kinds=kinds, component=component, limit=limit)
    wait = _wait_param(request)
    if not events and wait > 0:
        # Long poll: answer as soon as a matching event arrives (a wall-clock bound).
        def wanted(event: Event) -> bool:
            return (kinds is None or event.kind in kinds) and (
                component is None or event.component == component
            )

        with contextlib.suppress(TimeoutError):
            await log.wait_for(wanted, since=since, timeout=wait)
        events = log.read(since, kinds=kinds, component=component, limit=limit)
    last = events[-1].seq if events else max(since, 0)
    return web.json_response(
        {
            "events": [e.to_json() for e in events],
            "last": last,
            "newest": log.last_seq,
            "oldest": log.oldest_seq,
            "missed": missed,
            "dropped": log.dropped,
        }
    )


MAX_WAIT = 30.0


def _wait_param(request: web.Request) -> float:
    raw = request.query.get("wait")
    if raw is None:
        return 0.0
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if not 0 <= value <= MAX_WAIT:
        raise BadRequest(
            f"wait must be a number of seconds from 0 to {MAX_WAIT:g}", code="bad_parameter"
        )
    return value


def _pop(request: web.Request) -> PopEntry:
    pop_id = request.match_info["id"]
    entry = request.app[CONTROL_POPS].get(pop_id)
    if entry is None:
        raise NotFound(f"no POP {pop_id!r}", code="no_such_pop")
    return entry


def _int_param(request: web.Request, name: str, default: int) -> int:
    raw = request.query.get(name)
    if raw is None:
        return default
    # ASCII digits only: str.isdigit() takes '²', which int() refuses.
    if not _DIGITS.fullmatch(raw) or int(raw) > (MAX_LIMIT if name == "limit" else 2**62):
        raise BadRequest(
            f"{name} must be a non-negative integer (limit at most {MAX_LIMIT})",
            code="bad_parameter",
        )
    return int(raw)
