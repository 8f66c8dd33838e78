"""The stack's time and run control, served on the edge's control app (loopback only).

- ``GET /_sim/clock``; ``POST /_sim/clock/advance`` ``{"seconds": N}`` (manual clock):
  runs every timer that falls due in between, in order, before it answers.
- ``POST /_sim/seed`` ``{"seed": N}``: reseed the id generator.
- ``POST /_sim/reset``: drop every pack, config, region, original and variant, the
  aggregator's queue, and every edge cache, and put the Akamai policies and the imgix
  account back as at start-up: a clean slate without a restart.
- ``GET /_sim/aggregator``: the aggregator's queue and next tick.
- ``GET|PUT /_sim/bugs``: the production bug switches, on and off at run time.
- ``GET|PUT /_sim/faults``: take the origin down, make it slow, bring it back.
(See :mod:`cdnsim.switches`.)
"""

from __future__ import annotations

import ipaddress
import math
from typing import Any, Protocol

from aiohttp import web

from cdnsim.switches import Switchboard, bug_state, fault_state, set_bugs, set_fault
from common.bodies import json_integer, read_json_object
from common.clock import Clock
from common.errors import BadRequest, Conflict, Forbidden
from common.ids import IdGenerator
from origin.aggregator.service import Aggregator
from origin.models.fields import iso
from origin.settings import OriginSettings


class Simulation(Switchboard, Protocol):
    """What the run control acts on (the in-process stack is one)."""

    @property
    def clock(self) -> Clock: ...

    @property
    def ids(self) -> IdGenerator: ...

    @property
    def aggregator(self) -> Aggregator | None: ...

    @property
    def started(self) -> OriginSettings:
        """The origin's settings as started (what a bug switch turned off goes back to)."""
        ...

    async def reset(self) -> dict[str, Any]: ...


# Every timer due on the way runs (an aggregator tick every 300 s costs ~20 ms here): a
# week is ~2,000 ticks, and a longer jump is several calls.
MAX_ADVANCE = 7 * 86400.0
MAX_SEED = 2**63 - 1
MAX_BODY = 64 * 1024


def _loopback_only(request: web.Request) -> None:
    try:
        if ipaddress.ip_address((request.remote or "").split("%")[0]).is_loopback:
            return
    except ValueError:
        pass
    raise Forbidden("the simulation control API answers loopback clients only")


def _clock_json(stack: Simulation) -> dict[str, Any]:
    now = stack.clock.now()
    return {
        "mode": stack.clock.mode,
        "now": now,
        "iso": iso(now),
        "spec": stack.clock.spec,
        "nextAggregatorTick": stack.aggregator.next_tick(now) if stack.aggregator else None,
    }


def sim_routes(stack: Simulation) -> list[web.RouteDef]:
    async def get_clock(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(_clock_json(stack))

    async def advance_clock(request: web.Request) -> web.Response:
        _loopback_only(request)
        if stack.clock.mode != "manual":
            raise Conflict(
                f"the clock is {stack.clock.mode}; only a manual clock can be advanced",
                code="clock_not_manual",
            )
        seconds = (await read_json_object(request, MAX_BODY, ("seconds",))).get("seconds")
        if (
            isinstance(seconds, bool)
            or not isinstance(seconds, int | float)
            or not math.isfinite(seconds)
            or not 0 <= seconds <= MAX_ADVANCE
        ):
            raise BadRequest(f"seconds must be a number from 0 to {MAX_ADVANCE:g}", field="seconds")
        await stack.clock.advance(float(seconds))
        return web.json_response(_clock_json(stack))

    async def seed(request: web.Request) -> web.Response:
        _loopback_only(request)
        value = json_integer((await read_json_object(request, MAX_BODY, ("seed",))).get("seed"))
        if value is None or abs(value) > MAX_SEED:
            raise BadRequest(
                f"seed must be an integer from -{MAX_SEED} to {MAX_SEED}", field="seed"
            )
        stack.ids.reseed(value)
        return web.json_response({"seed": value})

    async def reset(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(await stack.reset())

    async def aggregator(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(stack.aggregator.status() if stack.aggregator else {})

    async def get_bugs(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(bug_state(stack))

    async def put_bugs(request: web.Request) -> web.Response:
        _loopback_only(request)
        body = await read_json_object(request, MAX_BODY)
        return web.json_response(set_bugs(stack, stack.started, body))

    async def get_faults(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(fault_state(stack))

    async def put_faults(request: web.Request) -> web.Response:
        _loopback_only(request)
        return web.json_response(await set_fault(stack, await read_json_object(request, MAX_BODY)))

    return [
        web.get("/_sim/bugs", get_bugs),
        web.put("/_sim/bugs", put_bugs),
        web.get("/_sim/faults", get_faults),
        web.put("/_sim/faults", put_faults),
        web.get("/_sim/clock", get_clock),
        web.post("/_sim/clock/advance", advance_clock),
        web.post("/_sim/seed", seed),
        web.post("/_sim/reset", reset),
        web.get("/_sim/aggregator", aggregator),
    ]
