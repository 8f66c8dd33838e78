"""What every server we start does per connection: admit it or refuse it, and close it
when its request headers are overdue.

- :class:`ConnectionGate` counts a server's open connections against its cap and against
  the process's budget of file descriptors (:class:`ProcessBudget`); over either, the
  connection gets :class:`Refusal` (a canned 503) instead of an HTTP handler.
- :class:`LimitedRequestHandler` is aiohttp's ``RequestHandler`` with a header timeout,
  which aiohttp lacks (its ``keepalive_timeout`` only covers idle connections). It adds
  nothing to a request whose headers arrive in one read: one check after parsing.
- :class:`RateLimitedWarning` keeps a limit that is hit a thousand times a second to one
  log line per interval, and :func:`quiet_accept_errors` does the same for the event
  loop's "socket.accept() out of system resource" tracebacks.

All timers here are wall time (the loop's clock): a manual simulated clock must never
keep a socket open.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import threading
import time
from typing import Any, cast

from aiohttp.web_protocol import RequestHandler
from aiohttp.web_server import Server

log = logging.getLogger(__name__)

WARNING_INTERVAL = 10.0  # wall seconds between two warnings about one limit
REFUSAL_LINGER = 1.0  # wall seconds a refused connection stays half-closed for its client
MAX_LINGERING_REFUSALS = 64  # beyond this, refused connections close at once


class RateLimitedWarning:
    """At most one warning line per ``interval``; the next one says how many were held back."""

    def __init__(self, logger: logging.Logger, interval: float = WARNING_INTERVAL) -> None:
        self._logger = logger
        self._interval = interval
        self._next = 0.0
        self._held = 0

    def __call__(self, message: str, *args: object) -> None:
        now = time.monotonic()
        if now < self._next:
            self._held += 1
            return
        if self._held:
            message += " (%d more like this in the last %.0f s)"
            args = (*args, self._held, self._interval)
        self._held = 0
        self._next = now + self._interval
        self._logger.warning(message, *args)


class ProcessBudget:
    """Connections open in this process, against what its file-descriptor limit allows
    once a reserve is kept for upstream connections, caches and logs. Servers on other
    threads' loops share it, hence the lock (taken once per connection, not per request)."""

    def __init__(self, cap: int) -> None:
        self.cap = cap
        self.open = 0
        self._lock = threading.Lock()

    def take(self) -> bool:
        with self._lock:
            if self.open >= self.cap:
                return False
            self.open += 1
            return True

    def give(self) -> None:
        with self._lock:
            self.open -= 1

    @classmethod
    def from_rlimit(cls) -> ProcessBudget:
        soft, _ = resource.getrlimit(resource.RLIMIT_NOFILE)
        if soft == resource.RLIM_INFINITY:
            soft = 1 << 20
        return cls(max(32, soft - max(128, soft // 4)))


_process_budget: ProcessBudget | None = None


def process_budget() -> ProcessBudget:
    """The process's budget, sized from its file-descriptor limit when first asked."""
    global _process_budget  # file descriptors are a per-process resource
    if _process_budget is None:
        _process_budget = ProcessBudget.from_rlimit()
    return _process_budget


class ConnectionGate:
    """One server's open connections, its cap, and what its limits did."""

    def __init__(self, name: str, cap: int, process: ProcessBudget) -> None:
        self.name = name
        self.cap = cap
        self.process = process
        self.open = 0
        self.refused = 0
        self.header_timeouts = 0
        self.lingering = 0  # refused connections waiting for their client to read the 503
        self._warn = RateLimitedWarning(log)

    def admit(self) -> bool:
        process = self.process
        if self.open < self.cap and process.take():
            self.open += 1
            return True
        self.refused += 1
        self._warn(
            "%s: refusing connections with 503: %d open (cap %d), %d in this process (budget %d)",
            self.name, self.open, self.cap, process.open, process.cap,
        )  # fmt: skip
        return False

    def release(self) -> None:
        self.open -= 1
        self.process.give()

    def stats(self) -> dict[str, int]:
        return {
            "open": self.open,
            "max": self.cap,
            "refused": self.refused,
            "header_timeouts": self.header_timeouts,
        }


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


class LimitedRequestHandler(RequestHandler):
    """aiohttp's handler for one admitted connection, plus the header timeout.

    The request line and headers must arrive within ``header_timeout``: counted from the
    accept for a new connection, and from the first bytes of each later request. An idle
    kept-alive connection is aiohttp's own ``keepalive_timeout``. A request whose headers
    are overdue is closed without an answer, as nginx does. The gate's slot is given back
    when the connection closes (for TLS, also when the handshake never completes).
    """

    __slots__ = ("_gate", "_handshake", "_header_count", "_header_timeout", "_header_timer")

    def __init__(
        self,
        manager: Server,
        gate: ConnectionGate,
        header_timeout: float,
        handshake_timeout: float | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(manager, **kwargs)
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

    def data_received(self, data: bytes) -> None:
        super().data_received(data)
        # Still waiting for a request after these bytes: its headers are incomplete.
        waiter = self._waiter
        if (
            waiter is not None
            and not waiter.done()
            and (self._header_timer is None or self._header_count != self._request_count)
        ):
            self._arm_header_timer()

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

    def _release(self) -> None:
        self._handshake = None
        if self._gate is not None:
            self._gate.release()
            self._gate = None


# After a failed accept() asyncio retries a second later, once per connection it tried in
# that round (up to the backlog); a server closed in between makes each retry a traceback.
RETRY_AFTER_CLOSE = "Exception in callback BaseSelectorEventLoop._start_serving("


def quiet_accept_errors(loop: asyncio.AbstractEventLoop) -> None:
    """When the process runs out of file descriptors, asyncio logs a traceback for every
    accept() that fails (up to the backlog each time the socket is readable) and, if the
    server closes, one for each retry it had scheduled; make that one warning line per
    interval, and leave every other error alone."""
    previous = loop.get_exception_handler()
    if getattr(previous, "quiets_accept_errors", False):
        return
    warn = RateLimitedWarning(log)

    def handler(loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        message = str(context.get("message", ""))
        if message.startswith("socket.accept() out of system resource"):
            warn("accept() failed: %s; new connections wait", context.get("exception"))
            return
        if message.startswith(RETRY_AFTER_CLOSE):
            return  # a retry asyncio scheduled for a server that has closed since: harmless
        if previous is not None:
            previous(loop, context)
        else:
            loop.default_exception_handler(context)

    handler.quiets_accept_errors = True  # type: ignore[attr-defined]
    loop.set_exception_handler(handler)
