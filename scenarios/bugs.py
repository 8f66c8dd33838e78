"""Stale-image bugs: each scenario tells one story twice — with its bug switch on (the
bug must show: "reproduced"), then with the switch as the stack was started ("fixed").
A stack started with the bug on therefore fails the fixed check, as it should.

A stale-image class that the seeds' own behaviour has comes with a *fix* switch instead
(``fix-…``, off by default): its story is told with the fix off, then with it on,
whatever the stack started with.

The switches are flipped through ``PUT /_sim/bugs`` and put back at the end.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from typing import Any

from scenarios.images import Look
from scenarios.result import State
from scenarios.scenario import Scenario, Skip, cache_ttl


@dataclass(frozen=True)
class Outcome:
    """How one telling of the story ended: did the old image (or wrong answer) persist?"""

    stale: bool
    measured: str


Story = Callable[[Scenario, str], Awaitable[Outcome]]
AS_STARTED: Any = object()  # the fixed telling uses the switch as the stack was started


async def reproduce_then_fix(
    sc: Scenario,
    bug: str,
    on: Any,
    story: Story,
    *,
    also: dict[str, Any] | None = None,
    fix: Any = AS_STARTED,
    reproduced: str,
    fixed: str,
) -> None:
    """Tell ``story`` with ``bug`` set to ``on`` (plus ``also``), then with it set to
    ``fix`` (by default: as the stack started)."""
    await sc.begin()
    initial = await sc.sim.bugs()
    if bug not in initial:
        raise Skip(f"the target has no {bug!r} switch")
    touched = {bug, *(also or {})}
    started = {name: initial[name] for name in touched}
    try:
        await sc.sim.set_bugs(**{bug: on}, **(also or {}))
        sc.mark("phase", f"bug on: {bug}" if fix is AS_STARTED else f"{bug} {_word(on)}")
        first = await story(sc, "bug")
        sc.check(
            f"reproduced with {bug} {'on' if fix is AS_STARTED else _word(on)}",
            first.stale,
            expected="the bug shows",
            measured=first.measured,
            detail=reproduced,
        )
        fixed_with = started[bug] if fix is AS_STARTED else fix
        await sc.sim.set_bugs(**{bug: fixed_with}, **(also or {}))
        how = f"as started ({_word(fixed_with)})" if fix is AS_STARTED else _word(fixed_with)
        sc.mark("phase", f"{bug} {how}: fixed?")
        second = await story(sc, "fixed")
        sc.check(
            f"fixed with {bug} {_word(fixed_with)}",
            not second.stale,
            expected="no stale answer",
            measured=second.measured,
            detail=fixed,
        )
        sc.measure(
            "switch",
            {
                "name": bug,
                "reproduce_with": on,
                "fixed_with": fixed_with,
                "as_started": started[bug],
            },
        )
        before, after = ("bug on", "as started") if fix is AS_STARTED else ("fix off", "fix on")
        sc.measure("headline", f"{before}: {first.measured} · {after}: {second.measured}")
    finally:
        await sc.sim.set_bugs(**started)


@dataclass(frozen=True)
class StaleCopies:
    """The lanes still serving the old image, how old the oldest copy is (``Age``) and how
    long the caches keep them at least (the ``ttl`` of Cache-Status)."""

    lanes: list[str]
    max_age: int
    min_ttl: float


async def stale_copies(
    sc: Scenario, path: str, classify: Callable[[Look | None, int], State], lanes: Sequence[str]
) -> StaleCopies:
    """Probe each of ``lanes`` once and say which serve the old image, and for how long."""
    stale, ages, ttls = [], [0], [0.0]
    for lane in lanes:
        state, _ = await sc.probe(lane, path, classify)
        if state == "stale":
            stale.append(lane)
            ages.append(int(sc.header("Age", "0") or 0))
            ttls.append(cache_ttl(sc.header("Cache-Status")))
    return StaleCopies(stale, max(ages), min(ttls[1:] or ttls))


def _word(value: Any) -> str:
    return "off" if value in (None, False) else f"on ({value})" if value is not True else "on"
