"""The imgix stale-image scenario on the in-process stack: both tellings pass (stale until
the automatic refresh, fresh after a purge), and one seed gives one result."""

from __future__ import annotations

from cdnsim.scenario_stack import run_in_process
from scenarios.report.files import strip_wall
from scenarios.runner import select


async def test_stale_until_the_refresh_then_fixed_by_a_purge_the_same_every_run() -> None:
    modules = select(["imgix-origin-refresh"], everything=False)
    first = await run_in_process(modules, seed=5)
    [result] = first["scenarios"]
    assert result["verdict"] == "pass", [c for c in result["checks"] if not c["ok"]]
    names = [c["name"] for c in result["checks"]]
    assert any(n.startswith("reproduced") for n in names)
    assert any(n.startswith("fixed with a purge") for n in names)
    window = result["measurements"]["refresh"]["after_hours"]
    assert 24 <= window <= 48
    assert result["group"] == "stale-bugs" and result["timeline"]["observations"]
    second = await run_in_process(modules, seed=5)
    assert strip_wall(first) == strip_wall(second)
