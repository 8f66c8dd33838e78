"""``cdnsim bench cold`` renders every request afresh through a real origin and accounts the
CPU of each of its processes."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_request_is_a_cold_render_and_each_process_is_counted(tmp_path: Path) -> None:
    output = tmp_path / "cold.json"
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "cdnsim.cli",
            "bench",
            "cold",
            "--requests",
            "6",
            "--connections",
            "2",
            "--output",
            str(output),
        ],
        check=False,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    result = json.loads(output.read_text())
    run = result["runs"]["embedded"]
    assert run["misses"] == 6
    assert set(run["cpu_ms_per_request"]) == {"origin", "moto", "render workers"}
    # Each role did work: the origin served, moto stored, the pool rendered.
    assert all(ms > 0 for ms in run["cpu_ms_per_request"].values()), run
    assert "cold renders over HTTP" in done.stdout
