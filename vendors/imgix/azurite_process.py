"""Azurite's Blob service as the imgix vendor runs it:
``python -m vendors.imgix.azurite_process AZURITE_BLOB_BIN``.

Starts ``azurite-blob`` (node) on 127.0.0.1, a port the kernel picks, in memory, without
telemetry (no network but loopback) and path-style (the account is the URL's first
segment); prints its URL, then waits for its standard input to close and stops it. The
node process gets SIGKILL if this one dies in any way (Linux's parent-death signal), so
it never outlives the program that started it.
"""

from __future__ import annotations

import ctypes
import re
import signal
import subprocess
import sys
import threading

LISTENING = re.compile(r"listens on (http://127\.0\.0\.1:\d+)")
PR_SET_PDEATHSIG = 1
EXTENT_MEMORY_MB = "512"


def _die_with_parent() -> None:
    try:
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except OSError:
        pass  # not Linux: the stdin protocol still stops it


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    command = [
        sys.argv[1],
        "--blobHost",
        "127.0.0.1",
        "--blobPort",
        "0",
        "--inMemoryPersistence",
        "--extentMemoryLimit",
        EXTENT_MEMORY_MB,
        "--disableTelemetry",
        "--disableProductStyleUrl",
        "--skipApiVersionCheck",
        "--loose",
        "--silent",
    ]
    node = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        text=True,
        preexec_fn=_die_with_parent,  # noqa: PLW1509 (one thread here: the main one)
    )
    assert node.stdout is not None
    url = ""
    seen = []
    for line in node.stdout:
        seen.append(line.strip())
        if found := LISTENING.search(line):
            url = found.group(1)
            break
    print(url or "failed: " + " | ".join(seen[-5:]), flush=True)
    if url:
        # Keep reading what it says, or it would block on a full pipe.
        threading.Thread(target=lambda: [None for _ in node.stdout or ()], daemon=True).start()
        sys.stdin.read()
    node.terminate()
    try:
        node.wait(timeout=10)
    except subprocess.TimeoutExpired:
        node.kill()


if __name__ == "__main__":
    main()
