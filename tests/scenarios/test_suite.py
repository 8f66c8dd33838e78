"""The conformance suite on the in-process stack: it passes, it is deterministic, each
bug scenario fails its fixed check when its bug is on, and the HTML report draws a
timeline per scenario."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from cdnsim.scenario_stack import run_in_process
from scenarios.library import MODULES, load
from scenarios.report.files import strip_wall, write_reports
from scenarios.report.html import render_html
from scenarios.runner import select
from tests.scenarios import svg_layout

BUG_SCENARIOS = {
    "bug-s3-delete-after-edge": "s3-delete-after-edge",
    "bug-date-buster": "keep-s3-variants",
    "bug-config-change-ignored": "ignore-location-config-changes",
    "bug-accept-not-in-key": "accept-not-in-key",
    "bug-write-during-flush": "drop-writes-during-flush",
}


class TimelinePlots(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.plots: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        if tag == "svg" and "timeline" in (values.get("class") or "").split():
            self.plots.append(values.get("data-scenario") or "")


async def test_the_whole_suite_passes_and_the_report_plots_every_scenario(tmp_path):
    suite = await run_in_process(load(), seed=7)
    failed = {
        s["name"]: [c for c in s["checks"] if not c["ok"]] or s["reason"]
        for s in suite["scenarios"]
        if s["verdict"] != "pass"
    }
    assert not failed
    names = [s["name"] for s in suite["scenarios"]]
    assert len(names) == len(MODULES) == 22 and suite["summary"] == {
        "pass": len(names),
        "fail": 0,
        "skip": 0,
        "error": 0,
    }
    for scenario in suite["scenarios"]:  # every scenario shows what the POPs served, when
        assert scenario["timeline"]["observations"], scenario["name"]
    parser = TimelinePlots()
    page = render_html(suite)
    parser.feed(page)
    assert parser.plots == names
    # What a reader sees: every text inside its plot, no label on another, a labelled axis.
    layout = {name: svg_layout.problems(svg) for name, svg in svg_layout.plots(page).items()}
    assert layout == {name: [] for name in names}
    paths = write_reports(suite, tmp_path)
    assert paths["html"].read_text(encoding="utf-8").count('class="timeline"') == len(names)


async def test_two_runs_with_one_seed_give_the_same_json():
    modules = select(["propagation-original", "bug-date-buster", "rebuild-cost"], everything=False)
    first = await run_in_process(modules, seed=11)
    second = await run_in_process(modules, seed=11)
    assert strip_wall(first) == strip_wall(second)
    assert first["scenarios"][2]["measurements"]["wall_render_cpu_seconds"]  # measured, but apart


@pytest.mark.parametrize("name", sorted(BUG_SCENARIOS))
async def test_a_bug_scenario_fails_its_fixed_check_when_its_bug_is_on(name):
    suite = await run_in_process(
        select([name], everything=False), seed=3, bugs=[BUG_SCENARIOS[name]]
    )
    [result] = suite["scenarios"]
    assert result["verdict"] == "fail"
    reproduced, fixed = result["checks"]
    assert reproduced["ok"] and reproduced["name"].startswith("reproduced")
    assert not fixed["ok"] and fixed["name"].startswith("fixed")


@pytest.mark.parametrize("fix_at_start", [False, True])
async def test_the_fallback_change_is_reproduced_with_the_fix_off_and_fixed_with_it_on(
    fix_at_start,
):
    """A fix switch is told off then on whatever the stack started with, and put back."""
    bugs = ["fix-invalidate-on-fallback-change"] if fix_at_start else []
    suite = await run_in_process(
        select(["bug-fallback-change"], everything=False), seed=3, bugs=bugs
    )
    [result] = suite["scenarios"]
    assert result["verdict"] == "pass", result["checks"]
    reproduced, fixed = result["checks"]
    assert reproduced["name"] == "reproduced with fix-invalidate-on-fallback-change off"
    assert "still main's image" in reproduced["measured"]
    assert fixed["name"] == "fixed with fix-invalidate-on-fallback-change on"
    assert result["measurements"]["switch"]["as_started"] is fix_at_start
