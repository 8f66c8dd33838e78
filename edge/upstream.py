"""Requests from a POP to its upstream (the shield or the origin), with wall-clock limits."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import aiohttp

from common.bodies import UpstreamBodyError, read_response
from common.clock import Clock
from edge.config import Timeouts
from edge.rules.connection import end_to_end
from edge.upstream_connection import FramedConnector, FramedResponse, Interim, exchange_of

UpstreamFailure = Literal["timeout", "connect", "too-large", "protocol"]


class UpstreamError(Exception):
    def __init__(self, kind: UpstreamFailure, message: str) -> None:
        super().__init__(message)
        self.kind = kind

    def __reduce__(self) -> tuple[type[UpstreamError], tuple[UpstreamFailure, str]]:
        # Raised in the edge process for a worker's fill, and re-raised in the worker.
        return UpstreamError, (self.kind, str(self))


@dataclass(frozen=True)
class UpstreamResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    request_time: float
    response_time: float
    interim: tuple[Interim, ...] = ()  # 1xx responses that preceded it (RFC 9110 §15.2)
    excess: int = 0  # bytes after its declared Content-Length, dropped (RFC 9112 §6.3)


def open_session(timeouts: Timeouts) -> aiohttp.ClientSession:
    """One session per POP. Limits are wall time so nobody waits forever, whatever the
    simulated clock does; bodies are kept as the origin encoded them."""
    timeout = aiohttp.ClientTimeout(
        total=timeouts.total,
        connect=timeouts.connect,
        sock_connect=timeouts.connect,
        sock_read=timeouts.read,
    )
    connector = FramedConnector(limit=256, ttl_dns_cache=300)
    return aiohttp.ClientSession(
        timeout=timeout,
        connector=connector,
        response_class=FramedResponse,
        auto_decompress=False,
        skip_auto_headers=("User-Agent",),
    )


async def fetch(
    session: aiohttp.ClientSession,
    clock: Clock,
    method: str,
    url: str,
    headers: list[tuple[str, str]],
    *,
    body: bytes | None = None,
    max_bytes: int,
) -> UpstreamResponse:
    """Send one request upstream and read the whole response, or raise UpstreamError."""
    request_time = clock.now()
    try:
        async with session.request(
            method, url, headers=headers, data=body, allow_redirects=False
        ) as resp:
            payload = await read_response(resp, max_bytes)
            kept = end_to_end(tuple((str(k), v) for k, v in resp.headers.items()))
            exchange = exchange_of(resp)
            return UpstreamResponse(
                resp.status,
                kept,
                payload,
                request_time,
                clock.now(),
                tuple(exchange.interim),
                exchange.excess,
            )
    except UpstreamBodyError as exc:
        kind: UpstreamFailure = "too-large" if exc.kind == "too-large" else "protocol"
        raise UpstreamError(kind, f"upstream response: {exc}") from None
    except (TimeoutError, aiohttp.ServerTimeoutError) as exc:
        raise UpstreamError("timeout", f"upstream did not answer in time: {exc!s}") from None
    except aiohttp.ClientConnectorError as exc:
        raise UpstreamError("connect", f"cannot connect upstream: {exc.os_error!s}") from None
    except aiohttp.ClientError as exc:
        raise UpstreamError("protocol", f"upstream failed: {exc!s}") from None
