"""The GCS emulator as the imgix vendor runs it: ``python -m vendors.imgix.gcs_process``.

gcp-storage-emulator's request handler over its in-memory storage, on 127.0.0.1 and a
port the kernel picks (its own ``create_server`` takes a fixed port, and hangs if that
port is taken). It prints its URL, then serves until its standard input closes (see
:mod:`vendors.imgix.emulators`), like the embedded moto.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
import threading
from functools import partial
from http.server import HTTPServer

from gcp_storage_emulator.server import RequestHandler
from gcp_storage_emulator.storage import Storage


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.disable(logging.CRITICAL)
    storage = Storage(use_memory_fs=True)
    server = HTTPServer(("127.0.0.1", 0), partial(RequestHandler, storage))
    thread = threading.Thread(target=server.serve_forever, name="gcs", daemon=True)
    thread.start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    # The emulator prints on misses; nobody reads our stdout past the URL.
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
