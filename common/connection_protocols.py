"""The asyncio protocols of every server's connections: aiohttp's HTTP handler with a header
timeout (:class:`LimitedRequestHandler`), and the canned refusal (:class:`Refusal`).

aiohttp has no header timeout: its ``keepalive_timeout`` covers idle connections only. The
handler here adds one, without adding anything to a request whose headers arrive in one
read but a check after parsing. All timers are wall time (the loop's clock): a manual
simulated clock must never keep a socket open.
"""

from __future__ import annotations

import asyncio
import fcntl
import json
import logging
import sys
import termios
from collections.abc import Callable
from typing import Any, cast

from aiohttp.http_exceptions import HttpProcessingError
from aiohttp.web_protocol import RequestHandler
from aiohttp.web_request import BaseRequest
from aiohttp.web_response import Response, StreamResponse
from aiohttp.web_server import Server

from common.connections import ConnectionGate, RateLimitedWarning

log = logging.getLogger(__name__)
# A client's malformed request (aiohttp answers it 400 itself): one line now and then, never
# a traceback per request, so that garbage cannot fill the log.
_warn_malformed = RateLimitedWarning(log)

# Answers a connection's request from its bytes alone: the whole response and whether the
# connection stays open (False: the request said "Connection: close"), or None to leave it
# to aiohttp. Given only one complete request head with nothing after it.
FastLane = Callable[[bytes], tuple[bytes, bool] | None]

REFUSAL_LINGER = 1.0  # wall seconds a refused connection stays half-closed for its client
MAX_LINGERING_REFUSALS = 64  # beyond this, refused connections close at once


REFUSAL_BODY = (
    b'{"code": "too_many_connections", "message": "this server is at its connection limit; '
    b'retry shortly", "status": 503}'
)
REFUSAL = (
    b"HTTP/1.1 503 Service Unavailable\r\n"
    b"Content-Type: application/json\r\n"
    b"Content-Length: " + str(len(REFUSAL_BODY)).encode() + b"\r\n"
    b"Retry-After: 1\r\n"
    b"Connection: close\r\n"
    b"\r\n" + REFUSAL_BODY
)


class Refusal(asyncio.Protocol):
    """A connection over the cap: a 503 at once, without reading the request.

    Closing a socket with the client's request still unread makes the kernel send a reset,
    which some clients report instead of the 503. So the 503 is followed by a FIN, and the
    socket closes when the client closes or after ``REFUSAL_LINGER``; past
    ``MAX_LINGERING_REFUSALS`` at once, it closes at once (file descriptors come first).
    """

    def __init__(self, gate: ConnectionGate) -> None:
        self._gate = gate
        self._transport: asyncio.Transport | None = None
        self._timer: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        transport = cast(asyncio.Transport, transport)  # uvloop's is not a subclass
        transport.write(REFUSAL)
        gate = self._gate
        if gate.lingering >= MAX_LINGERING_REFUSALS or not transport.can_write_eof():
            transport.close()
            return
        transport.write_eof()
        gate.lingering += 1
        self._transport = transport
        self._timer = asyncio.get_running_loop().call_later(REFUSAL_LINGER, transport.close)

    def data_received(self, data: bytes) -> None:
        pass  # never read: the request is refused whatever it says

    def eof_received(self) -> bool:
        return False  # the client is done: close

    def connection_lost(self, exc: Exception | None) -> None:
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._transport is not None:
            self._transport = None
            self._gate.lingering -= 1


def unread_bytes(transport: asyncio.BaseTransport) -> int:
    """Bytes the kernel has received on the transport's socket that nobody has read."""
    sock = transport.get_extra_info("socket")
    if sock is None:
        return 0
    try:
        count = fcntl.ioctl(sock.fileno(), termios.FIONREAD, b"\0\0\0\0")
    except (OSError, ValueError):
        return 1  # cannot tell: treat it as busy
    return int.from_bytes(count, sys.byteorder)


class LimitedRequestHandler(RequestHandler):
    """aiohttp's handler for one admitted connection, plus the header timeout.

    The request line and headers must arrive within ``header_timeout``: counted from the
    accept for a new connection, and from the first bytes of each later request. An idle
    kept-alive connection is aiohttp's own ``keepalive_timeout``. A request whose headers
    are overdue is closed without an answer, as nginx does. The gate's place is given back
    when the connection closes (for TLS, also when the handshake never completes), or when
    the gate reclaims an idle connection for a new one.
    """

    __slots__ = (
        "_fast_lane",
        "_gate",
        "_handshake",
        "_header_count",
        "_header_timeout",
        "_header_timer",
    )

    def __init__(
        self,
        manager: Server,
        gate: ConnectionGate,
        header_timeout: float,
        handshake_timeout: float | None,
        *,
        fast_lane: FastLane | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, **kwargs)
        # Taken for a request only while aiohttp holds nothing of this connection (see
        # data_received); None once a request left something in aiohttp's parser.
        self._fast_lane = fast_lane
        self._gate: ConnectionGate | None = gate
        self._header_timeout = header_timeout
        self._header_timer: asyncio.TimerHandle | None = None
        self._header_count = 0
        # A TLS handshake that fails never reaches connection_made or connection_lost.
        self._handshake: asyncio.TimerHandle | None = (
            self._loop.call_later(handshake_timeout + min(1.0, handshake_timeout), self._release)
            if handshake_timeout is not None
            else None
        )

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        if self._handshake is not None:
            self._handshake.cancel()
            self._handshake = None
        super().connection_made(transport)
        # aiohttp also starts its keep-alive timer here; a new connection is ours to time.
        if self._keepalive_handle is not None:
            self._keepalive_handle.cancel()
            self._keepalive_handle = None
        self._arm_header_timer()
        if self._gate is not None:
            self._gate.joined(self)

    def data_received(self, data: bytes) -> None:
        lane = self._fast_lane
        if lane is not None:
            if not _one_plain_head(data):
                # Part of a request, a body or several requests: aiohttp's parser may keep
                # some of it, so this connection is aiohttp's from now on.
                self._fast_lane = None
            elif self._holds_nothing() and (answer := lane(data)) is not None:
                self._answered(*answer)
                return
        super().data_received(data)
        # Still waiting for a request after these bytes: its headers are incomplete.
        waiter = self._waiter
        if (
            waiter is not None
            and not waiter.done()
            and (self._header_timer is None or self._header_count != self._request_count)
        ):
            self._arm_header_timer()

    def _holds_nothing(self) -> bool:
        """aiohttp holds nothing of this connection: it has parsed no request yet (its task
        may not even have started), or it waits for the next one with nothing parsed, queued
        or being answered."""
        if self._force_close or self._close or self._payload_parser is not None:
            return False
        if self._messages or self._upgraded:
            return False
        waiter = self._waiter
        return self._request_count == 0 or (waiter is not None and not waiter.done())

    def _answered(self, answer: bytes, keep_alive: bool) -> None:
        """A request answered by the fast lane: written, and the connection is kept alive
        as aiohttp keeps one after its own answers (idle for keepalive_timeout, then closed),
        or closed once written when the request asked for that."""
        assert self.transport is not None
        self.transport.write(answer)
        if not keep_alive:
            self.force_close()  # the transport closes once what was written is sent
            return
        if self._header_timer is not None:  # the first request came in time
            self._header_timer.cancel()
            self._header_timer = None
        loop = self._loop
        self._keepalive = True
        self._next_keepalive_close_time = loop.time() + self._keepalive_timeout
        if self._keepalive_handle is None:
            self._keepalive_handle = loop.call_at(
                self._next_keepalive_close_time, self._process_keepalive
            )

    def connection_lost(self, exc: BaseException | None) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        self._release()
        super().connection_lost(exc)

    def _arm_header_timer(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
        self._header_count = self._request_count
        self._header_timer = self._loop.call_later(self._header_timeout, self._headers_overdue)

    def _headers_overdue(self) -> None:
        self._header_timer = None
        waiter = self._waiter
        if waiter is None or waiter.done() or self._request_count != self._header_count:
            return  # a request arrived in time (and later ones have their own timer)
        if self._gate is not None:
            self._gate.header_timeouts += 1
        log.debug("closing a connection whose request headers are overdue")
        self.force_close()

    def handle_error(
        self,
        request: BaseRequest,
        status: int = 500,
        exc: BaseException | None = None,
        message: str | None = None,
    ) -> StreamResponse:
        """A request aiohttp could not parse is the client's mistake: answered in our JSON
        error shape and logged as one line now and then, never a traceback per request."""
        if not isinstance(exc, HttpProcessingError) or request.writer.output_size > 0:
            return super().handle_error(request, status, exc, message)
        lines = (exc.message or type(exc).__name__).splitlines()
        reason = " ".join(ln.strip() for ln in lines if ln.strip().strip("^"))  # no caret line
        peer = self.transport.get_extra_info("peername") if self.transport else None
        _warn_malformed("malformed request from %s: %s", peer, reason)
        status = exc.code if 400 <= exc.code < 500 else 400  # the client's bytes, never a 5xx
        body = {"code": "malformed_request", "message": reason, "status": status}
        response = Response(status=status, text=json.dumps(body), content_type="application/json")
        response.force_close()
        return response

    def idle(self) -> bool:
        """Waiting for a request: none in progress, at most part of one's headers, and no
        bytes of one in the kernel yet (a request just sent must not be cut)."""
        waiter = self._waiter
        if waiter is None or waiter.done() or self.transport is None:
            return False
        return unread_bytes(self.transport) == 0

    def reclaim(self) -> None:
        """Close it to make room for a new connection (its place is free at once)."""
        self._release()
        self.force_close()

    def _release(self) -> None:
        self._handshake = None
        if self._gate is not None:
            self._gate.release(self)
            self._gate = None


def _one_plain_head(data: bytes) -> bool:
    """``data`` is one complete request head and nothing else, without a body to come: once
    aiohttp has parsed it, its parser holds nothing of this connection."""
    end = data.find(b"\r\n\r\n")
    if end != len(data) - 4:
        return False
    lowered = data.lower()
    return b"content-length:" not in lowered and b"transfer-encoding:" not in lowered
