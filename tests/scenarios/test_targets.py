"""Targets come from ready files; a scenario that needs the /_sim API skips, with its
reason, against a target that has none; the command line runs scenarios against a
separate `cdnsim up` process through its ready file, and resets it only with consent."""

from __future__ import annotations

import json
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from cdnsim.commands.scenario import reset_refusal
from scenarios.library import propagation_original
from scenarios.target import FOR_SCENARIOS, Target, TargetError
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


def _scenario_run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "scenario", "run", *args],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_scenarios_run_against_a_separate_stack_through_its_ready_file(tmp_path):
    ready = tmp_path / "ready.json"
    stack = CdnsimProcess(["up", "--clock", "manual", "--ready-file", str(ready)])
    try:
        assert ready.exists()
        names = ["propagation-platform-delete", "fallback-region", "--target", str(ready)]
        refused = _scenario_run(*names)
        clock = json.loads(
            urllib.request.urlopen(json.loads(ready.read_text())["control"] + "/_sim/clock").read()
        )
        done = _scenario_run(
            *names,
            "--reset",
            "--json",
            str(tmp_path / "suite.json"),
            "--report-dir",
            str(tmp_path / "r"),
        )
    finally:
        stack.kill()
    # Without --reset (or a stack started --for-scenarios) nothing runs and nothing is reset.
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr.count("\n") == 1 and "add --reset" in refused.stderr
    assert clock["iso"] == "2026-01-01T00:00:00.000Z"
    assert done.returncode == 0, done.stdout + done.stderr
    suite = json.loads((tmp_path / "suite.json").read_text())
    assert [s["verdict"] for s in suite["scenarios"]] == ["pass", "pass"]
    assert suite["target"]["in_process"] is False
    assert (tmp_path / "r" / "scenarios.html").exists() and "report html" in done.stdout


READY = {"origin": "http://o", "pops": [{"id": "p", "url": "http://p"}], "admin_token": "t"}


@pytest.mark.parametrize(
    ("ready", "reset", "refused"),
    [
        ({**READY, "tenant": "demo", "control": "http://c"}, False, True),
        ({**READY, "tenant": "demo", "control": "http://c"}, True, False),
        ({**READY, "tenant": "demo", "control": "http://c", FOR_SCENARIOS: True}, False, False),
        ({**READY, "tenant": "demo"}, False, False),  # no control API: nothing to reset
    ],
)
def test_a_stack_is_reset_only_with_consent(ready: dict, reset: bool, refused: bool) -> None:  # type: ignore[type-arg]
    why = reset_refusal(Target.from_ready(ready), reset=reset, path=Path("stack.json"))
    assert (why is not None) == refused
