"""How many connections each server and the process may hold, and what is logged when a
limit is hit.

- :class:`ConnectionGate` counts a server's open connections against its cap and against
  the process's budget of file descriptors (:class:`ProcessBudget`); at either, idle
  connections make room, and when none is idle the new connection is refused (with the
  canned 503 of :mod:`common.connection_protocols`).
- :class:`RateLimitedWarning` keeps a limit that is hit a thousand times a second to one
  log line per interval, and :func:`quiet_accept_errors` does the same for the event
  loop's "socket.accept() out of system resource" tracebacks.
"""

from __future__ import annotations

import asyncio
import logging
import resource
import threading
import time
from typing import Any, Protocol

log = logging.getLogger(__name__)

WARNING_INTERVAL = 10.0  # wall seconds between two warnings about one limit
RECLAIM_BATCH = 32  # idle connections closed at once to make room (nginx closes 32)


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


class Member(Protocol):
    """An admitted connection, as its gate sees it."""

    def idle(self) -> bool:
        """Waiting for a request (none in progress, or only part of its headers)."""
        ...

    def reclaim(self) -> None:
        """Give the place back now and close."""
        ...


class ConnectionGate:
    """One server's open connections, its cap, and what its limits did.

    At the cap (or the process's budget), a new connection first takes the place of idle
    ones: up to ``RECLAIM_BATCH`` of this server's connections that are waiting for a
    request are closed, oldest first, as nginx does when it runs out of connections. Only
    when every connection is in the middle of a request is the new one refused. So idle
    sockets, however many, never keep a client out.
    """

    def __init__(self, name: str, cap: int, process: ProcessBudget) -> None:
        self.name = name
        self.cap = cap
        self.process = process
        self.open = 0
        self.refused = 0
        self.reclaimed = 0
        self.header_timeouts = 0
        self.lingering = 0  # refused connections waiting for their client to read the 503
        self._members: dict[Member, None] = {}  # admitted and connected, oldest first
        self._warn_refused = RateLimitedWarning(log)
        self._warn_reclaimed = RateLimitedWarning(log)

    def admit(self) -> bool:
        if self._take() or (self._reclaim() and self._take()):
            return True
        self.refused += 1
        self._warn_refused(
            "%s: every connection is busy: refusing new ones with 503: %d open (cap %d), "
            "%d in this process (budget %d)",
            self.name, self.open, self.cap, self.process.open, self.process.cap,
        )  # fmt: skip
        return False

    def _take(self) -> bool:
        if self.open < self.cap and self.process.take():
            self.open += 1
            return True
        return False

    def _reclaim(self) -> int:
        idle = []
        for member in self._members:  # oldest first
            if member.idle():
                idle.append(member)
                if len(idle) == RECLAIM_BATCH:
                    break
        for member in idle:
            member.reclaim()
        if idle:
            self.reclaimed += len(idle)
            self._warn_reclaimed(
                "%s: at the connection limit: closing idle connections to admit new ones",
                self.name,
            )
        return len(idle)

    def joined(self, member: Member) -> None:
        self._members[member] = None

    def release(self, member: Member | None = None) -> None:
        if member is not None:
            self._members.pop(member, None)
        self.open -= 1
        self.process.give()

    def stats(self) -> dict[str, int]:
        return {
            "open": self.open,
            "max": self.cap,
            "refused": self.refused,
            "reclaimed": self.reclaimed,
            "header_timeouts": self.header_timeouts,
        }


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
