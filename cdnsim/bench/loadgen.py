"""A small keep-alive HTTP/1.1 load generator, used by ``cdnsim bench hit`` when wrk is
not installed. Run as its own process: ``python -m cdnsim.bench.loadgen URL …``; prints
one JSON line. One Python process cannot push as hard as wrk: its figures are a floor.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import time
from urllib.parse import urlsplit

_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


class _Connection(asyncio.Protocol):
    def __init__(
        self,
        request: bytes,
        deadline: float,
        latencies: list[float],
        errors: list[int],
        done: asyncio.Future[None],
    ) -> None:
        self.request, self.deadline, self.latencies, self.errors, self.done = (
            request,
            deadline,
            latencies,
            errors,
            done,
        )
        self.buffer = bytearray()
        self.started = 0.0
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport
        self._send()

    def _send(self) -> None:
        assert self.transport is not None
        self.started = time.perf_counter()
        self.transport.write(self.request)

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return
        match = _LENGTH.search(self.buffer, 0, end + 2)
        length = int(match.group(1)) if match else 0
        if len(self.buffer) < end + 4 + length:
            return
        now = time.perf_counter()
        if not self.buffer.startswith(b"HTTP/1.1 200"):
            self.errors[0] += 1
        self.latencies.append(now - self.started)
        del self.buffer[: end + 4 + length]
        if now < self.deadline:
            self._send()
        elif not self.done.done():
            self.done.set_result(None)

    def connection_lost(self, exc: Exception | None) -> None:
        if not self.done.done():
            self.done.set_result(None)


async def run(url: str, connections: int, duration: float) -> dict[str, float]:
    parts = urlsplit(url)
    host, port = parts.hostname or "127.0.0.1", parts.port or 80
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    request = f"GET {path} HTTP/1.1\r\nHost: {host}:{port}\r\n\r\n".encode()
    loop = asyncio.get_running_loop()
    latencies: list[float] = []
    errors = [0]
    start = time.perf_counter()
    deadline = start + duration
    dones = []
    for _ in range(connections):
        done: asyncio.Future[None] = loop.create_future()
        dones.append(done)
        connection = _Connection(request, deadline, latencies, errors, done)
        await loop.create_connection(lambda c=connection: c, host, port)  # type: ignore[misc]
    await asyncio.gather(*dones)
    elapsed = time.perf_counter() - start
    latencies.sort()
    count = len(latencies)
    return {
        "requests": count,
        "errors": errors[0],
        "seconds": elapsed,
        "requests_per_second": count / elapsed,
        "p50_ms": latencies[count // 2] * 1000 if count else 0.0,
        "p99_ms": latencies[min(count - 1, int(count * 0.99))] * 1000 if count else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("url")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--duration", type=float, default=10.0)
    args = parser.parse_args()
    try:
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    except ImportError:
        pass
    print(json.dumps(asyncio.run(run(args.url, args.connections, args.duration))))


if __name__ == "__main__":
    main()
