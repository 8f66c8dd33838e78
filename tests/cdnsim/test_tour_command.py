"""`cdnsim tour`: every origin operation once, each answered as a correct service answers
it; exit 0 only then."""

import subprocess
import sys


def test_cdnsim_tour_calls_every_operation_and_all_answer_right():
    done = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "tour"],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    lines = [line for line in done.stdout.splitlines() if line[:2] in ("ok", "!!")]
    assert len(lines) == 35 and all(line.startswith("ok") for line in lines)
    assert "35 of 35 calls answered as expected" in done.stdout
