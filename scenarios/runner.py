"""Running scenarios against a target: each starts from a clean slate (``/_sim/reset``
when the target has it), one after the other, with a progress callback; the suite's
JSON is what ``--json`` writes and the reports draw."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import Any

import aiohttp

from scenarios.library import load
from scenarios.result import ScenarioResult
from scenarios.sim import Sim, Unsupported
from scenarios.target import Target

Progress = Callable[[int, int, str, dict[str, Any] | None], None]


def catalogue() -> list[ModuleType]:
    return load()


def select(names: Sequence[str], *, everything: bool) -> list[ModuleType]:
    """The scenarios named (or a whole group by its name), in suite order."""
    modules = catalogue()
    if everything:
        return modules
    known = {m.NAME: m for m in modules}
    chosen: list[ModuleType] = []
    for name in names:
        group = [m for m in modules if m.GROUP == name]
        if name not in known and not group:
            raise KeyError(name)
        for module in group or [known[name]]:
            if module not in chosen:
                chosen.append(module)
    return chosen


async def run_suite(
    target: Target,
    modules: Sequence[ModuleType],
    *,
    seed: int | None,
    progress: Progress | None = None,
    in_process: bool = False,
) -> dict[str, Any]:
    started, wall = datetime.now(UTC), time.perf_counter()
    results: list[dict[str, Any]] = []
    for index, module in enumerate(modules):
        if progress:
            progress(index, len(modules), module.NAME, None)
        try:
            await _clean_slate(target, seed)
            result: ScenarioResult = await module.run(target)
        except Exception as exc:  # noqa: BLE001 (one broken scenario or target must not end the suite)
            result = ScenarioResult(
                module.NAME,
                module.GROUP,
                module.TITLE,
                verdict="error",
                reason=f"{type(exc).__name__}: {exc}",
            )
        results.append(result.to_json())
        if progress:
            progress(index, len(modules), module.NAME, results[-1])
    summary = {
        verdict: sum(r["verdict"] == verdict for r in results)
        for verdict in ("pass", "fail", "skip", "error")
    }
    return {
        "suite": "cdnsim scenarios",
        "seed": seed,
        # An in-process stack's ports change from run to run: only its shape is reported.
        "target": {k: v for k, v in target.describe().items() if not (in_process and k == "origin")}
        | {"in_process": in_process},
        "started_wall": started.isoformat(timespec="seconds"),
        "wall_seconds": round(time.perf_counter() - wall, 3),
        "summary": summary,
        "scenarios": results,
    }


async def _clean_slate(target: Target, seed: int | None) -> None:
    async with aiohttp.ClientSession() as session:
        sim = Sim(target, session)
        await sim.connect()
        if not sim.has_sim:
            return
        try:
            await sim.reset()
        except Unsupported:
            return  # a stack on real storage: scenarios create their own packs anyway
        if seed is not None:
            await sim.request("POST", f"{target.control}/_sim/seed", json={"seed": seed})
