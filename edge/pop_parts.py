"""What the parts of one POP (filling its cache, passing requests through) share."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

import aiohttp

from common.clock import Clock
from edge.config import EdgeSettings
from edge.counters import Counters
from edge.store.base import Store


@dataclass
class PopParts:
    """``settings`` is replaced when the edge is reconfigured, ``session`` set on start;
    ``upstream`` is the shield's URL, or None to go to the origins."""

    pop_id: str
    settings: EdgeSettings
    store: Store
    clock: Clock
    counters: Counters
    event: Callable[..., None]
    upstream: str | None
    session: aiohttp.ClientSession | None = None
    # Told each uri an unsafe method invalidated (a worker process tells its peers).
    on_invalidated: Callable[[str], Awaitable[Any]] | None = None
