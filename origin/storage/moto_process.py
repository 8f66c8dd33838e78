"""moto's server as the embedded store runs it: ``python -m origin.storage.moto_process``.

It prints its URL (127.0.0.1, a free port), then serves until its standard input closes
(see :mod:`origin.storage.embedded`).

Two costs of moto's own ``ThreadedMotoServer`` are left out (``cdnsim bench cold`` measures
them; see the README):

- Its werkzeug server closes the connection after every response, so every boto3 call
  opened a new TCP connection, and the server started a thread for each. waitress keeps
  connections alive and serves them from a fixed pool of threads. (Unlike moto's request
  handler it drops header names with an underscore; our S3 metadata keys have none.)
- moto's dispatcher finds the backend of every request by listing its ~170 service
  packages on disk (a ``listdir`` and a ``stat`` each), twice per request. Which backend
  serves a host never changes while the server runs, so :class:`HostCachingDispatcher`
  remembers it.
"""

from __future__ import annotations

import logging
import signal
import sys
import threading
from typing import Any

import waitress
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app

# Requests served at once; the others wait on their kept-alive connections.
THREADS = 8


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
    logging.getLogger("waitress").setLevel(logging.ERROR)
    server = waitress.create_server(
        HostCachingDispatcher(), host="127.0.0.1", port=0, threads=THREADS, ident="moto"
    )
    thread = threading.Thread(target=server.run, name="moto", daemon=True)
    thread.start()
    print(f"http://127.0.0.1:{server.effective_port}", flush=True)  # type: ignore[union-attr]
    sys.stdin.read()
    server.close()


if __name__ == "__main__":
    main()
