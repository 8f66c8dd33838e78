"""Every shell session of the README runs as shown, from a directory of its own that holds
the repository's files (and its ``.venv``) as links, and prints what the README says it prints (see
:mod:`tests.readme_sessions` for how sessions, steps and claims are marked); and the README
points at nothing outside the repository."""

from __future__ import annotations

import os
import re
import signal
import subprocess
from pathlib import Path

import pytest

from tests.readme_sessions import blocks, script, sessions

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
SESSIONS = sessions(README)
SESSION_TIMEOUT = 120.0  # wall seconds for one whole session
IGNORED = {".git", "reports", ".pytest_cache", ".mypy_cache", ".ruff_cache"}


def test_every_shell_block_says_whether_it_is_a_session() -> None:
    unmarked = [b.line for b in blocks(README) if b.language == "sh" and b.marker is None]
    assert not unmarked, f"README lines {unmarked}: mark as <!-- session: … --> or not"
    assert SESSIONS, "no sessions found"


def test_the_readme_names_nothing_outside_the_repository() -> None:
    for needle in ("shared/", "../"):
        lines = [n for n, line in enumerate(README.splitlines(), 1) if needle in line]
        assert not lines, f"README lines {lines} point outside the repository ({needle!r})"
    for link in re.findall(r"\]\(([^)#]+)\)", README):
        if "://" not in link:
            assert (ROOT / link).exists(), f"README links to {link}, which does not exist"


@pytest.mark.timeout(SESSION_TIMEOUT + 30)
@pytest.mark.parametrize("name", list(SESSIONS))
def test_the_readme_session_runs_as_shown(name: str, tmp_path: Path) -> None:
    steps = SESSIONS[name]
    work, outputs = tmp_path / "work", tmp_path / "outputs"
    work.mkdir()
    outputs.mkdir()
    # The repository as a fresh clone has it, in a directory the session may write to.
    for entry in ROOT.iterdir():
        if entry.name not in IGNORED:
            (work / entry.name).symlink_to(entry)
    (work / "script.sh").write_text(script(steps, outputs), encoding="utf-8")
    shell = subprocess.Popen(
        ["bash", "script.sh"], cwd=work, start_new_session=True, stdin=subprocess.DEVNULL
    )
    try:
        shell.wait(SESSION_TIMEOUT)
    finally:
        _end_group(shell)
    for number, step in enumerate(steps):
        where = f"README line {step.line}: {step.command.splitlines()[0][:90]}"
        rc_file = outputs / f"{number}.rc"
        assert rc_file.exists(), f"{where}: never ran (the session took too long or stopped)"
        output = (outputs / f"{number}.out").read_text(encoding="utf-8", errors="replace")
        assert rc_file.read_text().strip() == "0", f"{where}: failed\n{output}"
        for claim in step.claims:
            assert step.pattern(claim).search(output), f"{where}: not {claim!r} in\n{output}"


def _end_group(shell: subprocess.Popen[bytes]) -> None:
    """Stop everything the session started (stacks in the background included)."""
    for sig, wait in ((signal.SIGTERM, 20.0), (signal.SIGKILL, 10.0)):
        try:
            os.killpg(shell.pid, sig)
        except ProcessLookupError:
            return
        try:
            shell.wait(wait)
        except subprocess.TimeoutExpired:
            continue
        # The shell is gone; its background children may not be yet.
        try:
            os.killpg(shell.pid, 0)
        except ProcessLookupError:
            return
