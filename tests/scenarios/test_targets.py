"""Targets come from ready files; a scenario that needs the /_sim API skips, with its
reason, against a target that has none; the command line runs scenarios against a
separate `cdnsim up` process through its ready file."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from scenarios.library import propagation_original
from scenarios.target import Target, TargetError
from tests.process import CdnsimProcess


def test_a_ready_file_without_the_essentials_is_refused(tmp_path):
    path = tmp_path / "ready.json"
    path.write_text(json.dumps({"origin": "http://127.0.0.1:1"}))
    with pytest.raises(TargetError, match="lacks"):
        Target.from_file(path)
    path.write_text("not json")
    with pytest.raises(TargetError, match="cannot read"):
        Target.from_file(path)
    path.write_text(
        json.dumps({"origin": "http://127.0.0.1:1", "pops": [], "admin_token": "t", "tenant": "x"})
    )
    with pytest.raises(TargetError, match="no POPs"):
        Target.from_file(path)


@pytest.mark.parametrize("control", [None, "http://127.0.0.1:9"])  # none, or nobody listening
async def test_a_scenario_skips_against_a_target_without_the_sim_api(control):
    target = Target.from_ready(
        {
            "origin": "http://127.0.0.1:9",
            "pops": [{"id": "pop-1", "url": "http://127.0.0.1:9"}],
            "admin_token": "t",
            "tenant": "demo",
            "control": control,
        }
    )
    result = await propagation_original.run(target)
    assert result.verdict == "skip" and "/_sim" in (result.reason or "")


def test_scenario_list_and_unknown_names():
    listed = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "scenario", "list"],
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "propagation-original" in listed.stdout and "resilience-coalescing" in listed.stdout
    unknown = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "scenario", "run", "no-such-thing"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert unknown.returncode == 2 and "no-such-thing" in unknown.stderr


def test_scenarios_run_against_a_separate_stack_through_its_ready_file(tmp_path):
    ready = tmp_path / "ready.json"
    stack = CdnsimProcess(["up", "--clock", "manual", "--ready-file", str(ready)])
    try:
        assert ready.exists()
        done = subprocess.run(
            [
                sys.executable,
                "-m",
                "cdnsim.cli",
                "scenario",
                "run",
                "propagation-platform-delete",
                "fallback-region",
                "--target",
                str(ready),
                "--json",
                str(tmp_path / "suite.json"),
                "--report-dir",
                str(tmp_path / "r"),
            ],
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
    finally:
        stack.kill()
    assert done.returncode == 0, done.stdout + done.stderr
    suite = json.loads((tmp_path / "suite.json").read_text())
    assert [s["verdict"] for s in suite["scenarios"]] == ["pass", "pass"]
    assert suite["target"]["in_process"] is False
    assert (tmp_path / "r" / "scenarios.html").exists() and "report html" in done.stdout
