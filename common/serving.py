"""Serve an aiohttp app on a port: the one way every server of cdnsim listens.

``served = await serve(app, host, port, limits=…)`` returns a :class:`ServedApp` with the
base URL; ``await served.close()`` stops it. Every server gets the same connection limits
(see :class:`ConnectionLimits` and the README's "Limits"): a header timeout (the TLS
handshake included), a keep-alive idle timeout, a cap on open connections per server
(idle ones make room; a 503 when all are busy), and a budget for the whole process below
its file-descriptor limit.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from common.connection_protocols import FastLane, LimitedRequestHandler, Refusal
from common.connections import ConnectionGate, process_budget, quiet_accept_errors


@dataclass(frozen=True)
class ConnectionLimits:
    """Per-server connection limits (wall seconds)."""

    # The request line and headers, from the accept (a new connection) or from the first
    # bytes of a request on a kept-alive one. nginx's client_header_timeout is 60 s.
    header_timeout: float = 30.0
    # An idle kept-alive connection. nginx's keepalive_timeout is 75 s; longer than the
    # 15 s for which aiohttp's own client keeps a connection, so clients close first.
    keepalive_timeout: float = 75.0
    # Open connections per server; past it idle ones make room, and when every one is in
    # a request, new ones are answered 503 and closed.
    max_connections: int = 4096
    # Connections the kernel queues before they are accepted (nginx's default).
    backlog: int = 511

    def __post_init__(self) -> None:
        if not (0 < self.header_timeout <= 3600 and 0 < self.keepalive_timeout <= 3600):
            raise ValueError("timeouts must be more than 0 and at most 3600 seconds")
        if self.max_connections < 1 or self.backlog < 1:
            raise ValueError("max_connections and backlog must be at least 1")


DEFAULT_LIMITS = ConnectionLimits()


class ServedApp:
    """An app listening on a port: its URL, its connection counters, and how to stop it."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        gate: ConnectionGate,
        site: _LimitedSite,
    ) -> None:
        self.runner = runner
        self.host = host
        self.gate = gate
        self._site: _LimitedSite | None = site
        self._template = site
        self._others: list[_LimitedSite] = []  # more listeners of the same app
        self.port = site.port
        scheme = "https" if site.ssl_context is not None else "http"
        self.url = f"{scheme}://{host}:{self.port}"

    @property
    def listening(self) -> bool:
        return self._site is not None

    def stats(self) -> dict[str, int]:
        """Open connections, the cap, refusals and header timeouts so far."""
        return self.gate.stats()

    async def stop_listening(self) -> None:
        """No new connections; open ones are closed now (a server going down)."""
        if self._site is None:
            return
        await self._site.stop()
        self._site = None
        server = self.runner.server
        kept = {site.port for site in self._others}
        if server is not None:
            for connection in server.connections:
                if _local_port(connection) not in kept:
                    connection.force_close()

    async def add_listener(
        self, sock: socket.socket, ssl_context: ssl.SSLContext | None = None
    ) -> str:
        """The same app on one more socket, already bound (same limits and counters); its
        URL. It keeps listening through :meth:`stop_listening` (another service of the
        same process, such as the origin's platform host); :meth:`close` ends it."""
        site = _LimitedSite(
            self.runner, self.host, sock.getsockname()[1], self.gate, self._template.limits,
            sock=sock, ssl_context=ssl_context, reuse_port=False,
            fast_lane=self._template.fast_lane,
        )  # fmt: skip
        await site.start()
        self._others.append(site)
        return f"{'https' if ssl_context is not None else 'http'}://{self.host}:{site.port}"

    async def listen_again(self) -> None:
        """Listen on the same port again after :meth:`stop_listening`."""
        if self._site is not None:
            return
        site = self._template.again()
        await site.start()
        self._site = site

    async def close(self) -> None:
        await self.runner.cleanup()


def bind_error(exc: OSError, host: str, port: int) -> OSError:
    """``exc`` from binding ``host:port``, worded as aiohttp words its own bind failures
    (one form for every server, which a command line turns into one line)."""
    return OSError(
        exc.errno, f"error while attempting to bind on address {(host, port)!r}: {exc.strerror}"
    )


def _local_port(connection: RequestHandler) -> int | None:
    transport = connection.transport
    local = transport.get_extra_info("sockname") if transport is not None else None
    return local[1] if isinstance(local, tuple) and len(local) >= 2 else None


class _LimitedSite(web.TCPSite):
    """aiohttp's TCPSite with our protocol factory and a TLS handshake timeout; on
    ``host:port``, or on ``sock`` when one is already bound."""

    def __init__(
        self,
        runner: web.BaseRunner,
        host: str,
        port: int,
        gate: ConnectionGate,
        limits: ConnectionLimits,
        *,
        sock: socket.socket | None = None,
        ssl_context: ssl.SSLContext | None,
        reuse_port: bool,
        fast_lane: FastLane | None = None,
    ) -> None:
        super().__init__(
            runner, host, port, ssl_context=ssl_context, backlog=limits.backlog,
            reuse_port=reuse_port or None,
        )  # fmt: skip
        self.gate = gate
        self.limits = limits
        self.ssl_context = ssl_context
        self._sock = sock
        self._reuse = reuse_port
        self.fast_lane = fast_lane

    def again(self) -> _LimitedSite:
        """The same site once more, on the port it had (its socket, if any, is closed)."""
        runner = self._runner
        assert isinstance(runner, web.BaseRunner)
        return _LimitedSite(
            runner, self._host or "127.0.0.1", self.port, self.gate, self.limits,
            ssl_context=self.ssl_context, reuse_port=self._reuse, fast_lane=self.fast_lane,
        )  # fmt: skip

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        loop = asyncio.get_running_loop()
        server = self._runner.server
        assert server is not None
        handshake = self.limits.header_timeout if self.ssl_context is not None else None
        extra: dict[str, Any] = {"ssl_handshake_timeout": handshake} if handshake else {}
        factory = _protocol_factory(server, self.gate, self.limits, handshake, self.fast_lane)
        if self._sock is not None:
            extra["sock"] = self._sock
        else:
            extra |= {"host": self._host, "port": self._port, "reuse_port": self._reuse or None}
        self._server = await loop.create_server(
            factory, ssl=self.ssl_context, backlog=self._backlog, **extra
        )
        if self._server.sockets:
            self._bound_port = self._server.sockets[0].getsockname()[1]


def _protocol_factory(
    server: Any,
    gate: ConnectionGate,
    limits: ConnectionLimits,
    handshake: float | None,
    fast_lane: FastLane | None,
) -> Callable[[], asyncio.BaseProtocol]:
    """Each accepted connection: an HTTP handler when the gate admits it, else a 503."""
    # aiohttp's Server builds its handlers from these (the runner's and the app's options).
    kwargs = dict(server._kwargs, loop=server._loop)

    def make() -> RequestHandler | Refusal:
        if not gate.admit():
            return Refusal(gate)
        return LimitedRequestHandler(
            server, gate, limits.header_timeout, handshake, fast_lane=fast_lane, **kwargs
        )

    return make


async def serve(
    app: web.Application | Callable[[web.BaseRequest], Awaitable[web.StreamResponse]],
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    limits: ConnectionLimits = DEFAULT_LIMITS,
    sock: socket.socket | None = None,
    ssl_context: ssl.SSLContext | None = None,
    reuse_port: bool = False,
    fast_lane: FastLane | None = None,
) -> ServedApp:
    """Serve ``app`` on ``host:port`` (``port`` 0: any free port), or on ``sock`` already
    bound (so that its URL can be known before the app exists), with ``limits``;
    ``reuse_port``: several processes may bind the port (SO_REUSEPORT). ``app`` may be an
    application, or one handler for every request (aiohttp's low-level server: no router,
    no middleware, for a hot path). ``fast_lane`` may answer a connection's plainest
    requests from their bytes before aiohttp parses them (see
    :class:`~common.connection_protocols.LimitedRequestHandler`)."""
    quiet_accept_errors(asyncio.get_running_loop())
    options: dict[str, Any] = {"access_log": None, "keepalive_timeout": limits.keepalive_timeout}
    runner: web.BaseRunner
    if isinstance(app, web.Application):
        runner = web.AppRunner(app, **options)
    else:
        runner = web.ServerRunner(web.Server(app, **options))
    await runner.setup()
    gate = ConnectionGate(f"{host}:{port}", limits.max_connections, process_budget())
    if sock is not None:
        port = sock.getsockname()[1]
    site = _LimitedSite(
        runner, host, port, gate, limits, sock=sock, ssl_context=ssl_context,
        reuse_port=reuse_port, fast_lane=fast_lane,
    )  # fmt: skip
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    served = ServedApp(runner, host, gate, site)
    gate.name = served.url
    return served
