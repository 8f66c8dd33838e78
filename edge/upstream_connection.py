"""The POP's upstream connections: responses read exactly as framed, interim ones kept.

aiohttp's client parser, handed a response followed by more bytes than its
``Content-Length`` in one read, fails the whole response ("Bad status line" for the
garbage); and it drops 1xx responses without telling anyone. This protocol sits in
front of the parser (:class:`edge.rules.framing.ResponseFraming` decides what belongs
to the response), so that:

- the declared ``Content-Length`` bytes are the body, whatever follows is dropped and
  the connection is closed instead of going back to the pool (RFC 9112 §6.3);
- every 1xx head (except 101) read before the final response is recorded with its
  fields, for the POP to relay to its viewer (RFC 9110 §15.2). aiohttp gives no hook
  while the exchange runs, so they are relayed once the final response has arrived.

It relies on two aiohttp internals: the connector's ``_factory`` and
``ResponseHandler``'s methods; ``tests/edge/test_upstream_framing.py`` pins both.
"""

from __future__ import annotations

import asyncio
import functools
from typing import Any, cast

import aiohttp
from aiohttp.client_proto import ResponseHandler

from edge.rules.framing import ResponseFraming

Interim = tuple[int, tuple[tuple[str, str], ...]]  # status and fields of a 1xx


class FramedResponseHandler(ResponseHandler):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._framing = ResponseFraming()
        self.interim: list[Interim] = []

    @property
    def excess(self) -> int:
        """Bytes received after the current response's declared end."""
        return self._framing.excess

    def set_response_params(self, **params: Any) -> None:
        # Called once per request, before it is sent: a new exchange begins.
        self._framing.reset(no_body=bool(params.get("skip_payload", False)))
        self.interim = []
        super().set_response_params(**params)

    def data_received(self, data: bytes) -> None:
        if not data or self._parser is None:
            super().data_received(data)  # a resume signal, or kept until params are set
            return
        idle = self._framing.state == "done"
        kept = self._framing.feed(data)
        if self._framing.excess:
            self.force_close()
            if idle and self.transport is not None:
                self.transport.close()  # garbage on a pooled connection: nobody reads it
        if kept:
            super().data_received(kept)

    def feed_data(self, data: Any, size: int = 0) -> None:
        message = data[0]
        if 100 <= message.code < 200 and message.code != 101:
            self.interim.append((message.code, tuple(message.headers.items())))
        super().feed_data(data, size)


class FramedConnector(aiohttp.TCPConnector):
    """A TCPConnector whose connections use :class:`FramedResponseHandler`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._factory = cast(
            "functools.partial[ResponseHandler]",
            functools.partial(FramedResponseHandler, loop=self._loop),
        )


def exchange_facts(resp: aiohttp.ClientResponse) -> FramedResponseHandler | None:
    """The protocol that read ``resp`` (while its connection is held), for its interim
    responses and its excess bytes."""
    connection = resp.connection
    protocol = connection.protocol if connection is not None else None
    return protocol if isinstance(protocol, FramedResponseHandler) else None
