"""Bug switches and injected faults of a running in-process stack (``/_sim/bugs``,
``/_sim/faults``), so that a scenario can reproduce a bug and then show it fixed
without restarting anything.

Bugs (names as the ``--bug-…`` flags): a number switches a timed bug on (``null`` off),
``true``/``false`` the others. ``flush-duration`` is not a bug: how long a flush takes,
which ``drop-writes-during-flush`` needs to have a window at all. Fixes (names as the
``--fix-…`` flags, ``fix-`` included) are the other way round: off is the seeds'
behaviour, which has a stale-image class of its own, and on is the fix a team would ship.

Faults: ``{"origin": "down"}`` stops the origin listening and closes its connections
(POPs see connection failures), ``{"origin": "slow", "seconds": S}`` holds image requests
S simulated seconds, ``{"origin": "up"}`` ends either.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import Any, Protocol

from common.errors import BadRequest
from edge.config import VIMOND_IMAGES, EdgeSettings
from origin.aggregator.settings import AggregatorSettings
from origin.settings import OriginSettings
from origin.simulation import RuntimeSwitches


class Switchboard(Protocol):
    """What bug switches and faults act on (the in-process stack is one)."""

    @property
    def pipeline(self) -> AggregatorSettings: ...

    def set_pipeline(self, pipeline: AggregatorSettings) -> None: ...

    @property
    def origin_switches(self) -> RuntimeSwitches: ...

    @property
    def origin_down(self) -> bool: ...

    async def set_accept_in_key(self, in_key: bool) -> None: ...

    async def stop_origin_listening(self) -> None: ...

    async def resume_origin_listening(self) -> None: ...


TIMED_BUGS = {
    "s3-delete-after-edge": ("delete_s3_after_edge", "s3_delete_gap"),
    "drop-writes-during-flush": ("drop_writes_during_flush", "flush_duration"),
}
FLAG_BUGS = {
    "keep-s3-variants": "keep_s3_variants",
    "ignore-location-config-changes": "ignore_location_config_changes",
}
FIXES = {"fix-invalidate-on-fallback-change": "invalidate_on_fallback_change"}
FLAG_SWITCHES = FLAG_BUGS | FIXES  # true/false switches of the aggregator's settings
BUG_NAMES = (*TIMED_BUGS, *FLAG_BUGS, "accept-not-in-key", *FIXES)
MAX_SECONDS = 7 * 86400.0


def bug_state(stack: Switchboard) -> dict[str, Any]:
    pipeline = stack.pipeline
    state: dict[str, Any] = {}
    for name, (flag, seconds) in TIMED_BUGS.items():
        state[name] = getattr(pipeline, seconds) if getattr(pipeline, flag) else None
    for name, flag in FLAG_SWITCHES.items():
        state[name] = getattr(pipeline, flag)
    switches = stack.origin_switches
    state["accept-not-in-key"] = switches.negotiate_format and not switches.vary_on_negotiation
    state["flush-duration"] = pipeline.flush_duration
    return state


async def set_bugs(
    stack: Switchboard, started: OriginSettings, changes: dict[str, Any]
) -> dict[str, Any]:
    """Validate every change first, then apply them all (nothing half-applied)."""
    unknown = sorted(set(changes) - {*BUG_NAMES, "flush-duration"})
    if unknown:
        raise BadRequest(
            f"unknown bug switch {unknown[0]!r}; known: {', '.join(BUG_NAMES)}", field=unknown[0]
        )
    updates: dict[str, Any] = {}
    for name, value in changes.items():
        if name in TIMED_BUGS:
            flag, seconds = TIMED_BUGS[name]
            updates[flag] = value is not None and value is not False
            if updates[flag]:
                updates[seconds] = _seconds(name, value)
        elif name == "flush-duration":
            updates["flush_duration"] = _seconds(name, value)
        elif not isinstance(value, bool):
            raise BadRequest(f"{name} must be true or false", field=name)
        elif name in FLAG_SWITCHES:
            updates[FLAG_SWITCHES[name]] = value
    pipeline = replace(stack.pipeline, **updates)
    stack.set_pipeline(pipeline)
    if "accept-not-in-key" in changes:
        await _accept_not_in_key(stack, started, changes["accept-not-in-key"])
    return bug_state(stack)


def accept_in_key(edge: EdgeSettings, in_key: bool) -> EdgeSettings:
    """The Vimond image policy with ``Accept`` in its key or not. It belongs there exactly
    when the origin negotiates the format and says so (``Vary: Accept``)."""
    images = edge.policies[VIMOND_IMAGES.name]
    headers = tuple(h for h in images.headers if h.lower() != "accept") + (
        ("Accept",) if in_key else ()
    )
    return replace(edge, policies={**edge.policies, images.name: replace(images, headers=headers)})


async def _accept_not_in_key(stack: Switchboard, started: OriginSettings, on: bool) -> None:
    switches = stack.origin_switches
    switches.negotiate_format = on or started.negotiate_format
    switches.vary_on_negotiation = not on and started.vary_on_negotiation
    await stack.set_accept_in_key(switches.negotiate_format and switches.vary_on_negotiation)


def _seconds(name: str, value: Any) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, int | float)
        or not math.isfinite(value)
        or not 0 <= value <= MAX_SECONDS
    ):
        raise BadRequest(
            f"{name} must be a number of seconds from 0 to {MAX_SECONDS:g}", field=name
        )
    return float(value)


def fault_state(stack: Switchboard) -> dict[str, Any]:
    switches = stack.origin_switches
    origin = "down" if stack.origin_down else ("slow" if switches.fault == "slow" else "up")
    return {
        "origin": origin,
        "seconds": switches.slow_seconds if origin == "slow" else None,
        "held": switches.held,
    }


async def set_fault(stack: Switchboard, body: dict[str, Any]) -> dict[str, Any]:
    unknown = sorted(set(body) - {"origin", "seconds"})
    if unknown:
        raise BadRequest(f"unknown fault field {unknown[0]!r}", field=unknown[0])
    mode = body.get("origin")
    if mode not in ("up", "down", "slow"):
        raise BadRequest("origin must be up, down or slow", field="origin")
    # Checked whenever given (and needed by slow), though only slow uses it.
    given = "seconds" in body or mode == "slow"
    seconds = _seconds("seconds", body.get("seconds")) if given else 0.0
    switches = stack.origin_switches
    if mode == "down":
        await stack.stop_origin_listening()
    else:
        await stack.resume_origin_listening()
    switches.fault = "slow" if mode == "slow" else "none"
    switches.slow_seconds = seconds if mode == "slow" else 0.0
    return fault_state(stack)
