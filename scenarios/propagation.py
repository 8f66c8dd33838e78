"""Measuring propagation: probe every POP on a fixed step of simulated time until each
serves the new image, and compare with the model (the aggregator's next tick, or the
write itself for a direct invalidation, plus that POP's invalidation delay)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from scenarios.images import Look
from scenarios.result import State
from scenarios.scenario import Scenario

STEP = 5.0  # simulated seconds between probes: the resolution of every measurement


def by_colour(new: str, old: str | None = None) -> Callable[[Look | None, int], State]:
    """Fresh when the centre is ``new``; stale when it is ``old`` (or anything else)."""

    def classify(seen: Look | None, status: int) -> State:
        if seen is None:
            return "error"
        if seen.colour == new:
            return "fresh"
        return "stale" if old is None or seen.colour == old else "other"

    return classify


@dataclass
class Propagation:
    first_fresh: dict[str, float | None]  # scenario time of each POP's first fresh answer
    stale_after_fresh: dict[str, int]  # answers that went back to stale once fresh (must be 0)

    @property
    def never_fresh(self) -> list[str]:
        return [lane for lane, t in self.first_fresh.items() if t is None]

    @property
    def last_fresh(self) -> float:
        """When the slowest POP turned (only meaningful when none is in ``never_fresh``)."""
        return max(t for t in self.first_fresh.values() if t is not None)


async def until_fresh(
    sc: Scenario,
    path: str | Callable[[int], str],
    classify: Callable[[Look | None, int], State],
    *,
    until: float,
    lanes: list[str] | None = None,
    step: float = STEP,
    headers: dict[str, str] | None = None,
    keep_probing: float = 0.0,
) -> Propagation:
    """Probe each lane every ``step`` until all serve fresh (then ``keep_probing`` more
    seconds, to show they stay fresh) or scenario time ``until``. ``path`` may be a
    function of the probe number (cache busters need a new URL every time)."""
    lanes = lanes or sc.result.lanes
    first: dict[str, float | None] = {lane: None for lane in lanes}
    relapses = {lane: 0 for lane in lanes}
    probe_no, settled_at = 0, None
    while True:
        for lane in lanes:
            url = path(probe_no) if callable(path) else path
            state, _ = await sc.probe(lane, url, classify, headers=headers)
            if state == "fresh" and first[lane] is None:
                first[lane] = sc.t()
            elif state != "fresh" and first[lane] is not None:
                relapses[lane] += 1
        probe_no += 1
        if settled_at is None and all(v is not None for v in first.values()):
            settled_at = sc.t()
        if (
            settled_at is not None and sc.t() >= settled_at + keep_probing
        ) or sc.t() + step > until:
            return Propagation(first, relapses)
        await sc.advance(step)


async def invalidation_delays(
    sc: Scenario, pack: str, since_event: int
) -> tuple[float | None, dict[str, float]]:
    """When the edge invalidation covering ``pack`` was created (scenario time) and each
    POP's delay, from the stack's events; (None, {}) if there was none."""
    for event in await sc.sim.events(since_event, ["invalidation_created"]):
        if any(pack in p for p in event["data"].get("paths", [])):
            return round(float(event["time"]) - sc.t0, 3), dict(event["data"].get("delays", {}))
    return None, {}


def compare_with_model(
    sc: Scenario,
    measured: Propagation,
    model: dict[str, float | None],
    *,
    what: str,
    since: float,
    step: float = STEP,
) -> None:
    """One check per POP: the first fresh answer within one probe step after the model
    (a probe can only see a change at or after it happens); a table of both."""
    rows: list[list[Any]] = []
    for lane, expected in model.items():
        got = measured.first_fresh.get(lane)
        ok = expected is not None and got is not None and expected <= got < expected + step
        sc.check(
            f"{lane}: {what} fresh at the model time",
            ok,
            expected=_seconds(expected),
            measured=_seconds(got),
            detail=f"probed every {step:g} s; model = tick/write + this POP's invalidation delay",
        )
        rows.append([lane, _seconds(expected), _seconds(got), "yes" if ok else "NO"])
        relapses = measured.stale_after_fresh.get(lane, 0)
        if relapses:
            sc.check(
                f"{lane}: stays fresh once fresh",
                False,
                expected="0 stale answers",
                measured=str(relapses),
            )
    sc.table(
        f"Propagation per POP: {what}",
        ["POP", "model (s)", "first fresh (s)", "within a step"],
        rows,
    )
    sc.measure("first_fresh", measured.first_fresh)
    sc.measure("model", model)
    after = ", ".join(
        f"{lane} {_seconds(None if got is None else round(got - since, 3))}"
        for lane, got in measured.first_fresh.items()
    )
    sc.measure("headline", f"fresh after the write (s): {after}")


def _seconds(value: float | None) -> str:
    return "never" if value is None else f"{value:g}"
