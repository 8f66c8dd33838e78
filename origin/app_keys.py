"""Everything stored on the origin app, declared in one place."""

from __future__ import annotations

from typing import TYPE_CHECKING

import aiohttp
from aiohttp import web

from common.clock import Clock
from common.events import EventLog
from common.ids import IdGenerator
from origin.settings import OriginSettings
from origin.simulation import RuntimeSwitches
from origin.storage import Storage

if TYPE_CHECKING:
    from origin.aggregator.invalidator import PackInvalidator
    from origin.backends import Backends
    from origin.serving.backend import ServingBackend
    from origin.serving.render_pool import OnDemandRenderPool

SETTINGS = web.AppKey("settings", OriginSettings)
CLOCK = web.AppKey("clock", Clock)
EVENTS = web.AppKey("events", EventLog)
IDS = web.AppKey("ids", IdGenerator)
STORAGE = web.AppKey("storage", Storage)
BACKENDS: web.AppKey[Backends] = web.AppKey("backends")
HTTP = web.AppKey("http", aiohttp.ClientSession)
RENDER_POOL: web.AppKey[OnDemandRenderPool] = web.AppKey("render_pool")
SERVING: web.AppKey[ServingBackend] = web.AppKey("serving")
INVALIDATOR: web.AppKey[PackInvalidator] = web.AppKey("invalidator")
SWITCHES = web.AppKey("switches", RuntimeSwitches)
