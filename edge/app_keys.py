"""Everything stored on the edge's aiohttp apps, declared in one place (but /metrics' sources,
declared beside their reader in edge.metrics)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING

from aiohttp import web

from common.events import EventLog
from edge.pop_view import PopEntry

if TYPE_CHECKING:
    from edge.pop import Pop

POP: web.AppKey[Pop] = web.AppKey("pop")  # the POP app's engine
CONTROL_POPS: web.AppKey[dict[str, PopEntry]] = web.AppKey("control_pops")  # the control app's POPs
EVENTS = web.AppKey("events", EventLog)
# What the control app awaits before it reads the event log (worker processes flush).
BEFORE_READING: web.AppKey[Callable[[], Awaitable[None]]] = web.AppKey("before_reading")
