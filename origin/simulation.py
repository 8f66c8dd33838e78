"""What a simulation may change while the origin runs: format negotiation (one of the
production bugs is negotiating without saying so) and injected faults.

The stack's control API (``/_sim/bugs``, ``/_sim/faults``) edits the one
:class:`RuntimeSwitches` object stored on the app; handlers read it per request. A
stand-alone origin never changes it, so it behaves as its settings say.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, Literal

from aiohttp import web

from common.clock import Clock
from origin.settings import OriginSettings

Fault = Literal["none", "slow"]
SLOW_PATHS = ("/api/v2/img/", "/api/v1/img/", "/api/img/")


@dataclass
class RuntimeSwitches:
    negotiate_format: bool
    vary_on_negotiation: bool
    # "slow": image requests wait ``slow_seconds`` of simulated time before being served,
    # as a slow or overloaded origin would (admin calls are not held up).
    fault: Fault = "none"
    slow_seconds: float = 0.0
    held: int = 0  # image requests waiting in a slow fault right now

    @classmethod
    def from_settings(cls, settings: OriginSettings) -> RuntimeSwitches:
        return cls(settings.negotiate_format, settings.vary_on_negotiation)

    def restore(self, settings: OriginSettings) -> None:
        """As ``settings`` say, with no fault (requests held now still finish)."""
        self.negotiate_format, self.vary_on_negotiation = (
            settings.negotiate_format,
            settings.vary_on_negotiation,
        )
        self.fault, self.slow_seconds = "none", 0.0


Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def injected_faults(switches: RuntimeSwitches, clock: Clock) -> Callable[..., Any]:
    """The middleware that holds image requests while ``switches`` says the origin is slow."""

    @web.middleware
    async def middleware(request: web.Request, handler: Handler) -> web.StreamResponse:
        if switches.fault == "slow" and request.path.startswith(SLOW_PATHS):
            switches.held += 1
            try:
                await clock.sleep(switches.slow_seconds)
            finally:
                switches.held -= 1
        return await handler(request)

    return middleware
