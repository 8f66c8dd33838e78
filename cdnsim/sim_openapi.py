"""The ``/_sim/*`` part of the control API's OpenAPI document (see
:mod:`cdnsim.sim_control` and :mod:`cdnsim.switches`), which the stack hands to the edge
with the routes themselves."""

from __future__ import annotations

from typing import Any

from cdnsim.sim_control import MAX_ADVANCE, MAX_SEED
from cdnsim.switches import FLAG_SWITCHES, MAX_SECONDS, TIMED_BUGS
from common.openapi import Refusal, Schema, nullable, obj, operation, response
from edge.control_openapi import errors

TAG = "Simulation"
SECONDS = {"type": "number", "minimum": 0, "maximum": MAX_SECONDS}
TIMED_BUG = {
    "anyOf": [SECONDS, {"type": "null"}, {"const": False}],
    "description": "seconds: on; null or false: off",
}
CLOCK = obj(
    {
        "mode": {"type": "string", "enum": ["real", "scaled", "manual"]},
        "now": {"type": "number"},
        "iso": {"type": "string", "format": "date-time"},
        "spec": {"type": "string"},
        "nextAggregatorTick": nullable({"type": "number"}),
    },
    required=["mode", "now", "iso", "spec", "nextAggregatorTick"],
)
BUGS = obj(
    {
        **dict.fromkeys(TIMED_BUGS, nullable(SECONDS)),
        **{name: {"type": "boolean"} for name in (*FLAG_SWITCHES, "accept-not-in-key")},
        "flush-duration": SECONDS,
    },
    required=[*TIMED_BUGS, *FLAG_SWITCHES, "accept-not-in-key", "flush-duration"],
)
FAULTS = obj(
    {
        "origin": {"type": "string", "enum": ["up", "down", "slow"]},
        "seconds": nullable(SECONDS),
        "held": {"type": "integer", "minimum": 0},
    },
    required=["origin", "seconds", "held"],
)


def _get(operation_id: str, summary: str, ok: dict[str, Any]) -> dict[str, Any]:
    return operation(operation_id, summary, {"200": ok, **errors("403")}, tag=TAG)


def _write(
    operation_id: str, summary: str, ok: dict[str, Any], body: Schema | None, *statuses: str
) -> dict[str, Any]:
    return operation(
        operation_id,
        summary,
        {"200": ok, **errors("403", *statuses)},
        tag=TAG,
        body=body,
        refusals=[Refusal(409, code, rule) for code, rule in _REFUSALS.get(operation_id, [])],
    )


_REFUSALS = {
    "advanceClock": [("clock_not_manual", "only a manual clock can be advanced")],
    "reset": [("reset_unavailable", "a reset needs the embedded store")],
}


def sim_paths() -> dict[str, Any]:
    clock = response("the clock", CLOCK)
    bug_changes = obj(
        {
            **dict.fromkeys(TIMED_BUGS, TIMED_BUG),
            **{name: {"type": "boolean"} for name in (*FLAG_SWITCHES, "accept-not-in-key")},
            "flush-duration": SECONDS,
        },
        description="Any subset; every change is checked before any is applied.",
    )
    fault = obj(
        {"origin": {"type": "string", "enum": ["up", "down", "slow"]}, "seconds": SECONDS},
        required=["origin"],
        description="seconds: how long image requests are held (simulated), with slow only.",
    )
    fault["if"] = {"properties": {"origin": {"const": "slow"}}}
    fault["then"] = {"required": ["seconds"]}
    advance = obj(
        {"seconds": {"type": "number", "minimum": 0, "maximum": MAX_ADVANCE}},
        required=["seconds"],
    )
    seed = obj(
        {"seed": {"type": "integer", "minimum": -MAX_SEED, "maximum": MAX_SEED}},
        required=["seed"],
    )
    reset = obj({"purged": {"type": "integer"}, "events": {"type": "integer"}}, extra=True)
    return {
        "/_sim/clock": {"get": _get("getClock", "The clock and the next aggregator tick", clock)},
        "/_sim/clock/advance": {
            "post": _write(
                "advanceClock",
                "Advance a manual clock, running every timer due on the way, in order",
                clock,
                advance,
                "400",
                "409",
                "413",
            )
        },
        "/_sim/seed": {
            "post": _write(
                "reseed", "Reseed the id generator", response("the seed", seed), seed, "400", "413"
            )
        },
        "/_sim/reset": {
            "post": _write(
                "reset",
                "Everything as at start-up",
                response("what was dropped", reset),
                None,
                "409",
            )
        },
        "/_sim/aggregator": {
            "get": _get(
                "getAggregator",
                "The aggregator's queue, unfinished flush and next tick",
                response("its state", {"type": "object"}),
            )
        },
        "/_sim/bugs": {
            "get": _get("getBugs", "The bug switches", response("the switches", BUGS)),
            "put": _write(
                "setBugs",
                "Turn bug switches on and off",
                response("the switches", BUGS),
                bug_changes,
                "400",
                "413",
            ),
        },
        "/_sim/faults": {
            "get": _get("getFaults", "The origin's fault", response("the fault", FAULTS)),
            "put": _write(
                "setFault",
                "Take the origin down, make it slow, bring it back",
                response("the fault", FAULTS),
                fault,
                "400",
                "413",
            ),
        },
    }
