"""A server process that runs short of file descriptors keeps answering and keeps its log
small: the process budget refuses connections before accept() can fail, and when
something else has used the descriptors up, accept() failures are one warning line.

Each test runs ``tests/common/fd_limited_server.py`` as a real process with a low limit,
under asyncio's event loop and under uvloop (which ``cdnsim edge`` uses).
"""

from __future__ import annotations

import asyncio
import sys
from collections import Counter
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import pytest

WAIT = 20.0  # a bound against hangs, never a measured time
REQUEST = b"GET /ok HTTP/1.1\r\nHost: x\r\n\r\n"
SLOW = b"GET /slow HTTP/1.1\r\nHost: x\r\n\r\n"
LIMIT = 200  # open files; the budget is then 200 - 128 = 72 connections


class Child:
    def __init__(self, process: asyncio.subprocess.Process, port: int) -> None:
        self.process = process
        self.port = port

    async def stderr_line(self) -> str:
        assert self.process.stderr is not None
        return (await asyncio.wait_for(self.process.stderr.readline(), WAIT)).decode()

    async def stop(self) -> str:
        """Stop it; everything it logged."""
        self.process.terminate()
        _, err = await asyncio.wait_for(self.process.communicate(), WAIT)
        return err.decode()


@asynccontextmanager
async def limited_server(loop: str, free: int = 0) -> AsyncIterator[Child]:
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "tests.common.fd_limited_server", str(LIMIT), str(free), loop,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    assert process.stdout is not None
    first = (await asyncio.wait_for(process.stdout.readline(), WAIT)).decode().split()
    child = Child(process, int(first[0].rsplit(":", 1)[1]))
    try:
        yield child
    finally:
        if process.returncode is None:
            process.kill()
            await process.wait()


async def _send(
    port: int, request: bytes = REQUEST
) -> tuple[asyncio.StreamReader, asyncio.StreamWriter]:
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    writer.write(request)
    return reader, writer


async def _status(reader: asyncio.StreamReader) -> str:
    try:
        line = await asyncio.wait_for(reader.readline(), WAIT)
    except ConnectionResetError:
        return "reset"
    return line.decode().split(" ")[1] if line else "closed"


async def _answered_again(port: int) -> bool:
    """A new client is answered 200, once the server has seen earlier clients go (each
    try a round trip, no waiting)."""
    for _ in range(1000):
        reader, writer = await _send(port)
        status = await _status(reader)
        writer.close()
        if status == "200":
            return True
    return False


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
async def test_the_process_budget_refuses_with_503_before_descriptors_run_out(loop: str):
    async with limited_server(loop) as child:
        # Requests that keep their connections busy: none is idle, so none makes room.
        clients = [await _send(child.port, SLOW) for _ in range(100)]
        refused = Counter([await _status(reader) for reader, _ in clients[72:]])
        assert refused == {"503": 28}
        for _, writer in clients:
            writer.close()
        # Closed connections give their places back: a new client is answered again.
        assert await _answered_again(child.port)
        log = await child.stop()
    assert "Traceback" not in log
    assert len(log.splitlines()) == 1, log
    assert "refusing new ones with 503" in log


@pytest.mark.parametrize("loop", ["asyncio", "uvloop"])
async def test_accept_failing_for_want_of_descriptors_logs_one_line_and_recovers(loop: str):
    """Something else holds all but 10 descriptors: accept() itself fails. asyncio logs a
    traceback per failed accept() (hundreds a second) unless told otherwise; uvloop
    resets the connections it cannot take."""
    async with limited_server(loop, free=10) as child:
        clients = [await _send(child.port) for _ in range(40)]
        served = [await _status(reader) for reader, _ in clients[:5]]
        assert served == ["200"] * 5
        first = await child.stderr_line() if loop == "asyncio" else ""
        assert ("accept() failed" in first) == (loop == "asyncio")
        for _, writer in clients:
            writer.close()
        # Descriptors come back with the closed connections; the server takes new ones.
        assert await _answered_again(child.port)
        log = first + await child.stop()
    assert "Traceback" not in log
    assert len(log.splitlines()) == (1 if loop == "asyncio" else 0), log
