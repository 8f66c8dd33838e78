"""moto's server, in-process, on 127.0.0.1 with a free port."""

from __future__ import annotations

import logging

import requests
from moto.moto_server.threaded_moto_server import ThreadedMotoServer


class EmbeddedMoto:
    def __init__(self) -> None:
        # moto's server binds 0.0.0.0:5000 unless told otherwise.
        self._server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        self.url = ""

    def start(self) -> str:
        logging.getLogger("werkzeug").setLevel(logging.ERROR)
        self._server.start()
        host, port = self._server.get_host_and_port()
        self.url = f"http://{host}:{port}"
        return self.url

    def reset(self) -> None:
        requests.post(f"{self.url}/moto-api/reset", timeout=10).raise_for_status()

    def stop(self) -> None:
        self._server.stop()
