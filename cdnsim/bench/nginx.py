"""nginx's ``proxy_cache`` beside cdnsim's edge, for ``cdnsim bench hit --vs-nginx``: the
same origin, the same object, the same number of worker processes, the same load.

nginx is not a dependency: it is used when installed (``apt-get install nginx-light``),
run from a temporary prefix of its own with a configuration written here, and stopped
after the measurement.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

CANDIDATES = ("nginx", "/usr/sbin/nginx", "/usr/local/sbin/nginx")

CONFIG = """
{user}
worker_processes {workers};
pid {prefix}/nginx.pid;
error_log {prefix}/error.log error;
daemon off;
events {{ worker_connections 4096; }}
http {{
    access_log off;
    keepalive_requests 1000000;
    proxy_cache_path {prefix}/cache levels=1:2 keys_zone=bench:16m max_size=256m;
    server {{
        listen 127.0.0.1:{port} reuseport;
        location / {{
            proxy_pass {origin};
            proxy_cache bench;
            proxy_cache_valid 200 1d;
            add_header X-Cache $upstream_cache_status;
        }}
    }}
}}
"""


def find_nginx() -> str | None:
    for candidate in CANDIDATES:
        found = shutil.which(candidate)
        if found:
            return found
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def running_nginx(binary: str, origin: str, workers: int) -> Iterator[tuple[str, list[int]]]:
    """nginx caching ``origin``: its base URL and the pids of its processes."""
    with tempfile.TemporaryDirectory(prefix="cdnsim-nginx-") as prefix:
        port = _free_port()
        conf = Path(prefix) / "nginx.conf"
        # Run as root, nginx's workers would drop to "nobody", who cannot use our prefix.
        user = "user root;" if os.geteuid() == 0 else ""
        text = CONFIG.format(user=user, workers=workers, prefix=prefix, port=port, origin=origin)
        conf.write_text(text)
        process = subprocess.Popen(
            [binary, "-p", prefix, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            text=True,
        )
        try:
            url = f"http://127.0.0.1:{port}"
            _wait_until_answering(url, process)
            yield url, [process.pid, *_children(process.pid)]
        finally:
            process.terminate()
            process.wait(timeout=30)


def _wait_until_answering(url: str, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(
                f"nginx did not start: {process.stderr.read() if process.stderr else ''}"
            )
        try:
            urllib.request.urlopen(url + "/ping", timeout=2).close()
            return
        except OSError:
            time.sleep(0.1)  # a process starting up, outside any test: waiting is the point
    raise RuntimeError("nginx did not answer within 30 s")


def _children(pid: int) -> list[int]:
    found = Path(f"/proc/{pid}/task/{pid}/children")
    try:
        return [int(p) for p in found.read_text().split()]
    except OSError:
        return []
