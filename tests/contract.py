"""Schemathesis over an API's served OpenAPI document, as a user runs it: the CLI in its
own process, every check, deterministic generation, a bounded number of examples.

``run_contract`` returns the run's figures (operations, test cases, failures, refusals
the document declares) and fails the test with schemathesis's own report, curl commands
included, when anything failed. The hooks (``tests/contract_hooks.py``) read XML answers
by their schemas and tell a declared refusal from a bug.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SCHEMATHESIS = Path(sys.executable).parent / "schemathesis"
PHASES = "examples,coverage,fuzzing,stateful"


@dataclass(frozen=True)
class ContractRun:
    api: str
    operations: int
    test_cases: int
    failures: list[dict[str, Any]]
    errors: list[Any]
    dropped: dict[str, int]  # failures the hooks explained (declared refusals…), by reason
    seconds: float
    output: str

    def figures(self) -> str:
        dropped = ", ".join(f"{n} × {why}" for why, n in sorted(self.dropped.items()))
        return (
            f"{self.api}: {self.operations} operations, {self.test_cases} test cases, "
            f"{sum(f['count'] for f in self.failures)} failures, {self.seconds:.1f} s; "
            f"not failures: {dropped or 'none'}"
        )


def run_contract(
    api: str,
    document_url: str,
    report_dir: Path,
    *,
    headers: dict[str, str] | None = None,
    max_examples: int = 10,
    phases: str = PHASES,
    config: str = "",
    timeout: float = 300,
) -> ContractRun:
    """``config``: schemathesis.toml text (per-operation settings), left out when the
    environment says ``CDNSIM_CONTRACT_FULL=1`` (every phase on every operation)."""
    report = report_dir / f"{api}.json"
    config_file = report_dir / f"{api}.toml"
    config_file.write_text("" if os.environ.get("CDNSIM_CONTRACT_FULL") == "1" else config)
    dropped_log = report_dir / f"{api}-dropped.jsonl"
    dropped_log.unlink(missing_ok=True)
    command = [
        str(SCHEMATHESIS),
        "--config-file",
        str(config_file),
        "run",
        document_url,
        "--checks",
        "all",
        "--max-examples",
        str(max_examples),
        "--generation-deterministic",
        "--phases",
        phases,
        "--workers",
        "1",
        "--request-timeout",
        "30",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--no-color",
    ]
    for name, value in (headers or {}).items():
        command += ["--header", f"{name}: {value}"]
    env = {
        **os.environ,
        "SCHEMATHESIS_HOOKS": "tests.contract_hooks",
        "PYTHONPATH": str(ROOT),
        "CDNSIM_CONTRACT_LOG": str(dropped_log),
    }
    # Run in the report directory: schemathesis keeps a crash cache (.schemathesis/) there.
    done = subprocess.run(
        command,
        cwd=report_dir,
        env=env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    output = done.stdout + done.stderr
    if not report.exists():
        raise AssertionError(f"schemathesis wrote no report:\n{output}")
    data = json.loads(report.read_text())
    dropped = Counter(
        json.loads(line)["why"]
        for line in (dropped_log.read_text().splitlines() if dropped_log.exists() else [])
    )
    return ContractRun(
        api=api,
        operations=data["operations"]["tested"],
        test_cases=data["test_cases"]["generated"],
        failures=data["failures"],
        errors=data["errors"],
        dropped=dict(dropped),
        seconds=data["running_time"],
        output=output,
    )


def assert_kept(run: ContractRun) -> None:
    """No failure and no error; the figures go to the test's output, and a failure shows
    schemathesis's own account of it (curl commands to reproduce included)."""
    print(run.figures())
    assert run.operations > 0 and run.test_cases > 0, run.output
    assert not run.failures and not run.errors, "\n" + _failures_of(run.output)


def _failures_of(output: str) -> str:
    start = output.find("== FAILURES ==")
    end = output.find("== WARNINGS ==", start)
    if end < 0:
        end = output.find("== SUMMARY ==", start)
    return output[start:end] if start >= 0 else output
