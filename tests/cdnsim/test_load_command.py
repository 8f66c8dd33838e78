"""`cdnsim load` for real: a short Locust run (its own processes) against `cdnsim up --demo`,
and the report's join of both sides checked figure by figure."""

from __future__ import annotations

import json
import signal
import subprocess
import sys

from tests.process import CdnsimProcess


def test_a_short_serving_run_joins_locust_with_the_stack_and_fails_a_missed_threshold(tmp_path):
    ready = tmp_path / "stack.json"
    up = CdnsimProcess(
        ["up", "--demo", "--clock", "manual", "--ready-file", str(ready), "--render-workers", "1"]
    )
    try:
        out = tmp_path / "report"
        done = subprocess.run(
            [sys.executable, "-m", "cdnsim.cli", "load", "--target", str(ready), "--users", "4",
             "--spawn-rate", "4", "--duration", "5", "--warmup", "2", "--widths", "0,320",
             "--max-p95-ms", "0.001", "--min-hit-ratio", "none", "--output", str(out)],
            check=False, capture_output=True, text=True, timeout=120,
        )  # fmt: skip
    finally:
        up.kill(signal.SIGTERM)
    assert done.returncode == 1, done.stdout + done.stderr  # the impossible p95 limit fails the run
    assert "FAIL p95_ms" in done.stdout and "PASSED" not in done.stdout
    report = json.loads((out / "report.json").read_text())
    recording = json.loads((out / "recording.json").read_text())
    locust, stack = report["locust"], report["stack"]
    assert locust["requests"] > 100 and locust["failures"] == 0
    # Every request Locust made reached a POP, and nothing else did (ping aside, which bypasses).
    assert stack["edge_requests"] == locust["requests"]
    timelines = sum(s["requests"] for t in recording["timelines"] for s in t["seconds"].values())
    assert timelines == locust["requests"]
    # A cold stack rendered each variant asked for once at most: 6 packs × 4 locations × 2 widths.
    assert 0 < stack["renders"] <= 48 and stack["render_cpu_s"] > 0
    assert stack["origin_requests"] == stack["per_pop"]["shield"]["origin_fetches"]
    assert set(stack["per_pop"]) == {"pop-1", "pop-2", "pop-3", "shield"}
    steady = report["steady"]
    assert (
        steady["available"]
        and 0 < steady["edge_hits"] <= steady["edge_requests"] < locust["requests"]
    )
    checks = {t["name"]: t["ok"] for t in report["thresholds"]}
    assert checks == {"failure_ratio": True, "p95_ms": False}  # the hit ratio was not asked for
    assert report["load_generator"]["available"] and report["load_generator"]["cpu_s"] > 0
    assert sum(row["renders"] for row in report["timeline"]) == stack["renders"]
    assert "<svg" in (out / "report.html").read_text()
