"""`cdnsim load` for real: a short Locust run (its own processes) against `cdnsim up --demo`,
the report's join of both sides checked figure by figure, the live line while it runs, and
Locust's web UI with the run's settings."""

from __future__ import annotations

import json
import re
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
import requests

from tests.process import CdnsimProcess


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """One demo stack for the module; the first test needs it cold, so it runs first."""
    path = tmp_path_factory.mktemp("stack") / "stack.json"
    up = CdnsimProcess(
        ["up", "--demo", "--clock", "manual", "--ready-file", str(path), "--render-workers", "1"]
    )
    yield path
    up.kill(signal.SIGTERM)


def test_a_short_serving_run_joins_locust_with_the_stack_and_fails_a_missed_threshold(
    tmp_path, ready
):
    out = tmp_path / "report"
    done = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "load", "--target", str(ready), "--users", "4",
         "--spawn-rate", "4", "--duration", "8", "--warmup", "2", "--widths", "0,320",
         "--max-p95-ms", "0.001", "--min-hit-ratio", "none", "--output", str(out)],
        check=False, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stdout + done.stderr  # the impossible p95 limit fails the run
    assert "FAIL p95_ms" in done.stdout and "PASSED" not in done.stdout
    # While Locust ran: a live line every 5 s, before the report.
    live = [
        line for line in done.stdout.splitlines() if re.match(r"\[ ?\d+/8 s\] [\d,]+ req/s", line)
    ]
    assert live and "hit ratio" in live[0] and "renders" in live[0], done.stdout
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


def test_the_web_ui_runs_with_the_settings_filled_in_until_ended_here(tmp_path, ready):
    out = tmp_path / "web"
    load = subprocess.Popen(
        [sys.executable, "-m", "cdnsim.cli", "load", "--target", str(ready), "--web",
         "--web-port", "0", "--users", "3", "--spawn-rate", "3", "--output", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:
        assert load.stdout is not None
        first = load.stdout.readline()
        url = re.search(r"http://127\.0\.0\.1:\d+/", first)
        assert url, first
        page = _get_when_up(url.group(0))
        assert "Locust" in page
        options = requests.get(url.group(0), timeout=10).text
        # The cdnsim options, filled in with this stack's POPs.
        assert re.search(r'"pops": \{[^}]*"default_value": "http://127\.0\.0\.1:\d+,', options)
        assert '"num_users": 3' in options
        started = requests.post(
            url.group(0) + "swarm", data={"user_count": 3, "spawn_rate": 3}, timeout=10
        ).json()
        assert started["success"], started
        _wait_for_requests(url.group(0))
    finally:
        load.send_signal(signal.SIGINT)  # the user's Ctrl-C
        output, _ = load.communicate(timeout=120)
    assert load.returncode in (0, 1), output
    report = json.loads((out / "report.json").read_text())
    assert report["locust"]["requests"] > 0 and report["stack"]["edge_requests"] > 0


def _get_when_up(url: str) -> str:
    deadline = time.monotonic() + 60
    while True:
        try:
            return requests.get(url, timeout=5).text
        except requests.ConnectionError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.2)  # Locust's process is starting: its port opens when it is up


def _wait_for_requests(url: str) -> None:
    deadline = time.monotonic() + 60
    while requests.get(url + "stats/requests", timeout=5).json()["total_rps"] == 0:
        assert time.monotonic() < deadline, "Locust's users made no request"
        time.sleep(0.5)  # Locust's users are starting
