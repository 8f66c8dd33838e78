"""`cdnsim ready-get KEY`: one value of a ready file, by dotted path, for shell sessions;
it waits for the file and names what is there when a key is not."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from cdnsim.commands.ready_get import lookup, read_ready_file
from cdnsim.usage import UsageError

READY = {"origin": "http://o", "pops": [{"id": "pop-1", "url": "http://p1"}], "akamai": {}}


@pytest.mark.parametrize(
    ("key", "value"),
    [("origin", "http://o"), ("pops.0.url", "http://p1"), ("pops.0", READY["pops"][0])],
)
def test_a_dotted_key_finds_its_value(key: str, value: object) -> None:
    assert lookup(READY, key, source="stack.json") == value


@pytest.mark.parametrize(
    ("key", "said"),
    [
        ("orign", "the top level has origin, pops, akamai"),
        ("pops.1.url", "pops has entries 0 to 0"),
        ("akamai.api", "akamai has nothing"),
        ("origin.x", 'origin has the value "http://o"'),
    ],
)
def test_a_missing_key_names_what_is_there(key: str, said: str) -> None:
    with pytest.raises(UsageError, match=said):
        lookup(READY, key, source="stack.json")


def test_the_command_waits_for_the_file_and_prints_plain_text(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"

    def write_later() -> None:
        time.sleep(0.5)  # the stack writing its ready file while the command waits
        path.write_text(json.dumps(READY))

    writer = threading.Thread(target=write_later)
    writer.start()
    done = subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", "ready-get", "pops.0.url", "--ready-file", str(path)],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    writer.join()
    assert (done.returncode, done.stdout, done.stderr) == (0, "http://p1\n", "")


def test_a_file_left_by_an_ended_stack_is_waited_past(tmp_path: Path) -> None:
    ended = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                           capture_output=True, text=True, check=True)  # fmt: skip
    stale = {**READY, "process": {"pid": int(ended.stdout), "host": socket.gethostname()}}
    path = tmp_path / "stack.json"
    path.write_text(json.dumps(stale))
    with pytest.raises(UsageError, match="did not appear within 0 s"):
        read_ready_file(path, wait=0)
    running = {**READY, "process": {"pid": os.getpid(), "host": socket.gethostname()}}
    path.write_text(json.dumps(running))
    assert read_ready_file(path, wait=0) == running


def test_at_a_terminal_a_long_wait_says_what_it_waits_for(tmp_path: Path) -> None:
    path = tmp_path / "stack.json"
    main, terminal = os.openpty()  # stderr is a terminal, as for someone typing the command
    try:
        done = subprocess.run(
            [sys.executable, "-m", "cdnsim.cli", "ready-get", "origin", "--ready-file", str(path)]
            + ["--wait", "2.5"],
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=60,
            check=False,
        )
        said = os.read(main, 4096).decode()
    finally:
        os.close(main)
        os.close(terminal)
    assert done.returncode == 2
    assert said.startswith(f"waiting up to 2.5 s for {path}") and "did not appear" in said
