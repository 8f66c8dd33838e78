"""``cdnsim bench cold`` renders every request afresh through a real origin and accounts the
CPU of each of its processes; without thumbor installed, ``--vs-thumbor`` says how to get it."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def bench(tmp_path: Path, *extra: str) -> tuple[subprocess.CompletedProcess[str], dict]:  # type: ignore[type-arg]
    output = tmp_path / "cold.json"
    command = [sys.executable, "-m", "cdnsim.cli", "bench", "cold", "--requests", "6"]
    command += ["--connections", "2", "--output", str(output), *extra]
    done = subprocess.run(
        command, check=False, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done, json.loads(output.read_text())


def test_every_request_is_a_cold_render_and_each_process_is_counted(tmp_path: Path) -> None:
    done, result = bench(tmp_path, "--variants-per-original", "2")
    run = result["runs"]["cdnsim"]
    assert run["misses"] == 6  # three originals, two new variants of each
    assert set(run["cpu_ms_per_request"]) == {"origin", "moto", "render workers"}
    # Each role did work: the origin served, moto stored, the pool rendered.
    assert all(ms > 0 for ms in run["cpu_ms_per_request"].values()), run
    assert set(run["load_average"]) == {"before", "after"}
    assert "cold renders over HTTP" in done.stdout


def test_without_thumbor_it_measures_ours_and_says_how_to_get_thumbor(tmp_path: Path) -> None:
    missing = tmp_path / "no-thumbor-here"
    done, result = bench(tmp_path, "--vs-thumbor", "--thumbor-venv", str(missing))
    assert set(result["runs"]) == {"cdnsim"} and "ratio" not in result
    assert "--install-thumbor" in done.stdout and str(missing) in done.stdout
    assert not missing.exists()  # nothing is installed unless asked
