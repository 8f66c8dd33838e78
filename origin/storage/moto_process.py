"""moto's server as the embedded store runs it: ``python -m origin.storage.moto_process``.

It prints its URL (127.0.0.1, a free port), then serves until its standard input closes
(see :mod:`origin.storage.embedded`).

moto's own dispatcher finds the backend of every request by listing its ~170 service
packages on disk (a ``listdir`` and a ``stat`` each), twice per request: 0.4–1 ms of every
S3 call (``cdnsim bench cold`` measures it). Which backend serves a host never changes
while the server runs, so :class:`HostCachingDispatcher` remembers it.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server


class HostCachingDispatcher(DomainDispatcherApplication):
    """moto's dispatcher, remembering the backend of each host it has resolved."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._backends: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        # Called under the dispatcher's own lock.
        try:
            return self._backends[host]
        except KeyError:
            backend = self._backends[host] = super().get_backend_for_host(host)
            return backend


def main() -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = make_server(
        "127.0.0.1", 0, HostCachingDispatcher(), threaded=True, request_handler=MotoRequestHandler
    )
    thread = threading.Thread(target=server.serve_forever, name="moto", daemon=True)
    thread.start()
    print(f"http://127.0.0.1:{server.server_address[1]}", flush=True)
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
