"""thumbor 7.8.0 beside ``cdnsim bench cold --vs-thumbor``, in a virtualenv of its own.

thumbor pins an older Pillow than ours, so it never goes into the project's venv: it lives
in ``~/.cache/cdnsim-bench/thumbor`` (or ``--thumbor-venv``), which ``--install-thumbor``
creates with ``python3 -m venv`` and ``pip install thumbor==7.8.0``. It serves the same
files the origin serves from S3, from a folder, with no storage of originals or results:
every request loads the file and renders, as our cold path does.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import requests

from cdnsim.bench.processes import descendants

VERSION = "7.8.0"
DEFAULT_VENV = Path.home() / ".cache" / "cdnsim-bench" / "thumbor"
_CONFIG = """
LOADER = "thumbor.loaders.file_loader"
FILE_LOADER_ROOT_PATH = {root!r}
STORAGE = "thumbor.storages.no_storage"
RESULT_STORAGE = "thumbor.result_storages.no_storage"
QUALITY = 85
ALLOW_UNSAFE_URL = True
"""


def executable(venv: Path) -> Path | None:
    """thumbor's command in ``venv`` when it is installed there."""
    command = venv / "bin" / "thumbor"
    return command if command.exists() else None


def how_to_install(venv: Path) -> str:
    return (
        f"thumbor {VERSION} is not installed in {venv}: run with --install-thumbor to create it "
        f"there (python3 -m venv {venv} && {venv}/bin/pip install thumbor=={VERSION}), "
        "or point --thumbor-venv at a virtualenv that has it"
    )


def install(venv: Path) -> Path:
    """Create ``venv`` and install thumbor into it (never into the project's own venv)."""
    if Path(sys.prefix).resolve() == venv.resolve():
        raise ValueError("thumbor must not be installed into the project's own virtualenv")
    print(f"   installing thumbor {VERSION} into {venv} …", flush=True)
    subprocess.run(["python3", "-m", "venv", str(venv)], check=True)
    subprocess.run(
        [str(venv / "bin" / "pip"), "install", "--quiet", f"thumbor=={VERSION}"], check=True
    )
    found = executable(venv)
    if found is None:
        raise RuntimeError(f"thumbor did not install into {venv}")
    return found


@dataclass
class Thumbor:
    process: subprocess.Popen[bytes]
    url: str

    def pids(self) -> list[int]:
        return [self.process.pid, *descendants(self.process.pid)]

    def stop(self) -> None:
        """Stop thumbor and the processes it forked (they outlive their parent otherwise)."""
        group = os.getpgid(self.process.pid)
        os.killpg(group, signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(group, signal.SIGKILL)
            self.process.wait()
        deadline = time.monotonic() + 30
        while _alive(group) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(group):
            os.killpg(group, signal.SIGKILL)


def start(command: Path, root: Path, processes: int, timeout: float = 60.0) -> Thumbor:
    """thumbor serving the files of ``root`` on a free loopback port, once it answers."""
    config = root / "thumbor.conf"
    config.write_text(_CONFIG.format(root=str(root)), encoding="utf-8")
    port = _free_port()
    process = subprocess.Popen(
        [str(command), "-i", "127.0.0.1", "-p", str(port), "-c", str(config)]
        + ["--processes", str(processes), "-l", "error"],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env={**os.environ, "PYTHONWARNINGS": "ignore"},
        start_new_session=True,  # its own process group: stop() ends the forked processes too
    )
    thumbor = Thumbor(process, f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"thumbor exited with {process.returncode}")
        try:
            if requests.get(f"{thumbor.url}/healthcheck", timeout=2).status_code == 200:
                return thumbor
        except requests.RequestException:
            pass
        time.sleep(0.2)
    thumbor.stop()
    raise RuntimeError("thumbor did not answer in time")


def _alive(group: int) -> bool:
    try:
        os.killpg(group, 0)
    except ProcessLookupError:
        return False
    return True


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
