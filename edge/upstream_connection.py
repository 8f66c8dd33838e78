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

What one exchange saw is an :class:`Exchange`, which the response keeps (the
connection may serve another request before the body has been read to the end).
This relies on aiohttp internals: the connector's ``_factory``, ``ResponseHandler``'s
methods and ``ClientResponse.start``; ``tests/edge/test_pop_upstream_messages.py``
pins them.
"""

from __future__ import annotations

import asyncio
import functools
from dataclasses import dataclass, field
from typing import Any, cast

import aiohttp
from aiohttp.client_proto import ResponseHandler
from aiohttp.connector import Connection

from edge.rules.framing import ResponseFraming

Interim = tuple[int, tuple[tuple[str, str], ...]]  # status and fields of a 1xx


@dataclass
class Exchange:
    """What one request's exchange saw besides its final response."""

    interim: list[Interim] = field(default_factory=list)
    excess: int = 0  # bytes received after the response's declared end, dropped


class FramedResponseHandler(ResponseHandler):
    def __init__(self, loop: asyncio.AbstractEventLoop) -> None:
        super().__init__(loop)
        self._framing = ResponseFraming()
        self.exchange = Exchange()

    def set_response_params(self, **params: Any) -> None:
        # Called once per request, before it is sent: a new exchange begins.
        self._framing.reset(no_body=bool(params.get("skip_payload", False)))
        self.exchange = Exchange()
        super().set_response_params(**params)

    def data_received(self, data: bytes) -> None:
        if not data or self._parser is None:
            super().data_received(data)  # a resume signal, or kept until params are set
            return
        idle = self._framing.state == "done"
        kept = self._framing.feed(data)
        if self._framing.excess:
            self.exchange.excess = self._framing.excess
            self.force_close()
            if idle and self.transport is not None:
                self.transport.close()  # garbage on a pooled connection: nobody reads it
        if kept:
            super().data_received(kept)

    def feed_data(self, data: Any, size: int = 0) -> None:
        message = data[0]
        if 100 <= message.code < 200 and message.code != 101:
            self.exchange.interim.append((message.code, tuple(message.headers.items())))
        super().feed_data(data, size)


class FramedConnector(aiohttp.TCPConnector):
    """A TCPConnector whose connections use :class:`FramedResponseHandler`."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self._factory = cast(
            "functools.partial[ResponseHandler]",
            functools.partial(FramedResponseHandler, loop=self._loop),
        )


class FramedResponse(aiohttp.ClientResponse):
    """A response that keeps the :class:`Exchange` of the connection that read it."""

    exchange: Exchange | None = None

    async def start(self, connection: Connection) -> aiohttp.ClientResponse:
        protocol = connection.protocol
        if isinstance(protocol, FramedResponseHandler):
            self.exchange = protocol.exchange
        return await super().start(connection)


def exchange_of(resp: aiohttp.ClientResponse) -> Exchange:
    """The interim responses and excess bytes of ``resp``'s exchange."""
    exchange = resp.exchange if isinstance(resp, FramedResponse) else None
    return exchange if exchange is not None else Exchange()
