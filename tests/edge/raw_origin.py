"""An origin that writes raw bytes, for what aiohttp's server will not send: bodies longer
than their Content-Length, 1xx interim responses. Each request's head is recorded."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Callable

Script = Callable[[int, bytes], list[bytes]]  # (request number, head) → writes, in order


class RawOrigin:
    def __init__(self, script: Script) -> None:
        self.script = script
        self.heads: list[bytes] = []
        self.connections = 0
        self.url = ""
        self._server: asyncio.Server | None = None

    async def start(self) -> None:
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", 0)
        port = self._server.sockets[0].getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
            await self._server.wait_closed()

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            async for head in _heads(reader):
                self.heads.append(head)
                for piece in self.script(len(self.heads), head):
                    writer.write(piece)
                    await writer.drain()
        except ConnectionError:
            pass
        finally:
            writer.close()


async def _heads(reader: asyncio.StreamReader) -> AsyncIterator[bytes]:
    while True:
        try:
            head = await reader.readuntil(b"\r\n\r\n")
        except (asyncio.IncompleteReadError, ConnectionError):
            return
        yield head
