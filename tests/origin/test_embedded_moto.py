"""The embedded moto server runs in a child process that never outlives its parent."""

from __future__ import annotations

import os
import select
import subprocess
import sys
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[2]
PARENT = """
import sys
from origin.storage import EmbeddedMoto
moto = EmbeddedMoto()
moto.start()
print(moto.pid, moto.url, flush=True)
sys.stdin.read()
"""


def test_the_embedded_moto_server_exits_when_its_parent_is_killed() -> None:
    parent = subprocess.Popen(
        [sys.executable, "-c", PARENT],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    assert parent.stdout is not None
    pid_text, url = parent.stdout.readline().split()
    moto_pid = int(pid_text)
    assert url.startswith("http://127.0.0.1:")
    requests.post(f"{url}/moto-api/reset", timeout=10).raise_for_status()
    exited = os.pidfd_open(moto_pid)
    try:
        parent.kill()  # SIGKILL: no clean-up code runs in the parent
        parent.wait()
        readable, _, _ = select.select([exited], [], [], 30)
    finally:
        os.close(exited)
    assert readable, "moto's process outlived its killed parent"


def test_stopping_the_embedded_moto_server_ends_its_process() -> None:
    from origin.storage import EmbeddedMoto

    moto = EmbeddedMoto()
    moto.start()
    assert moto.pid is not None
    exited = os.pidfd_open(moto.pid)
    try:
        moto.stop()
        readable, _, _ = select.select([exited], [], [], 0)
    finally:
        os.close(exited)
    assert readable and moto.pid is None
