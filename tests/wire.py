"""Bodies the way networks deliver them, for tests.

- :func:`send_in_pieces`: one HTTP/1.1 request over a raw socket (asyncio streams), its
  body written in pieces with a pause after each, with a ``Content-Length`` or chunked.
- :class:`TrickleOrigin`: a real aiohttp server that answers with its files in pieces with
  pauses, with a ``Content-Length`` or chunked (none declared), or cut short on purpose.

Loopback delivers small bodies whole, which hides readers that take the first buffer for
the body; these make every reader see the body arrive in many segments.
"""

from __future__ import annotations

import asyncio
import io
import random
import socket
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Literal

from aiohttp import web
from multidict import CIMultiDict
from PIL import Image
from yarl import URL

PIECE = 512


@dataclass(frozen=True)
class RawResponse:
    status: int
    headers: CIMultiDict[str]
    body: bytes


async def send_in_pieces(
    url: str,
    method: str,
    body: bytes,
    headers: Mapping[str, str] | None = None,
    *,
    piece: int = PIECE,
    pause: float = 0.0005,
    pause_every: int = 1,
    chunked: bool = False,
) -> RawResponse:
    """Send ``method url`` with ``body`` in ``piece``-byte pieces, pausing ``pause`` seconds
    after every ``pause_every`` pieces; read the whole answer (the connection is closed)."""
    target = URL(url, encoded=True)  # the path goes out exactly as given (dots, escapes)
    assert target.host in ("127.0.0.1", "localhost", "::1"), "tests talk to loopback only"
    reader, writer = await asyncio.open_connection(target.host, target.port)
    writer.get_extra_info("socket").setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
    # The answer is read while the body is sent: a server may answer (413, 400) and close
    # before the body is done, as real servers do.
    answer = asyncio.ensure_future(_read_until_closed(reader))
    head = [f"{method} {target.raw_path_qs} HTTP/1.1", f"Host: {target.host}:{target.port}"]
    head += [f"{k}: {v}" for k, v in (headers or {}).items()]
    head += ["Transfer-Encoding: chunked" if chunked else f"Content-Length: {len(body)}"]
    head += ["Connection: close", "", ""]
    try:
        writer.write("\r\n".join(head).encode("latin-1"))
        for n, start in enumerate(range(0, len(body), piece)):
            chunk = body[start : start + piece]
            writer.write(b"%x\r\n%s\r\n" % (len(chunk), chunk) if chunked else chunk)
            await writer.drain()
            if (n + 1) % pause_every == 0:
                await asyncio.sleep(pause)
        if chunked:
            writer.write(b"0\r\n\r\n")
        await writer.drain()
    except ConnectionError:
        pass  # the server stopped reading; its answer says why
    try:
        return parse_response(await answer)
    finally:
        writer.close()


async def _read_until_closed(reader: asyncio.StreamReader) -> bytes:
    received = bytearray()
    try:
        while chunk := await reader.read(64 * 1024):
            received += chunk
    except ConnectionError:
        pass
    return bytes(received)


def parse_response(raw: bytes) -> RawResponse:
    head, _, rest = raw.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    headers: CIMultiDict[str] = CIMultiDict()
    for line in lines[1:]:
        name, _, value = line.partition(":")
        headers.add(name.strip(), value.strip())
    if headers.get("Transfer-Encoding", "").lower() == "chunked":
        rest = _dechunk(rest)
    elif "Content-Length" in headers:
        rest = rest[: int(headers["Content-Length"])]
    return RawResponse(status, headers, rest)


def _dechunk(data: bytes) -> bytes:
    out = bytearray()
    while True:
        size_line, _, data = data.partition(b"\r\n")
        size = int(size_line.split(b";")[0], 16)
        if size == 0:
            return bytes(out)
        out += data[:size]
        data = data[size + 2 :]


Framing = Literal["length", "chunked", "cut"]


@dataclass
class TrickleOrigin:
    """Files by path, answered in ``piece``-byte pieces with ``pause`` seconds between them.
    ``framing``: ``length`` (a Content-Length), ``chunked`` (none; chunked encoding) or
    ``cut`` (declares the whole length, sends half, closes)."""

    files: dict[str, tuple[bytes, str]] = field(default_factory=dict)
    framing: Framing = "length"
    piece: int = 16 * 1024
    pause: float = 0.001
    url: str = ""
    served: list[str] = field(default_factory=list)

    def app(self) -> web.Application:
        app = web.Application()
        app.router.add_get("/{tail:.*}", self.handle)
        return app

    async def handle(self, request: web.Request) -> web.StreamResponse:
        found = self.files.get(request.path)
        if found is None:
            return web.Response(status=404, text="missing")
        body, content_type = found
        self.served.append(request.path)
        response = web.StreamResponse(headers={"Content-Type": content_type})
        if self.framing == "chunked":
            response.enable_chunked_encoding()
        else:
            response.content_length = len(body)
        await response.prepare(request)
        end = len(body) // 2 if self.framing == "cut" else len(body)
        for start in range(0, end, self.piece):
            await response.write(body[start : min(start + self.piece, end)])
            await asyncio.sleep(self.pause)
        if self.framing == "cut":
            assert request.transport is not None
            request.transport.close()
            return response
        await response.write_eof()
        return response


def noise_image(size: tuple[int, int], fmt: str = "PNG", seed: int = 1) -> bytes:
    """An image of random pixels: it barely compresses, so its bytes are about 3 × pixels
    (PNG), which makes large originals quick to make."""
    pixels = random.Random(seed).randbytes(size[0] * size[1] * 3)
    out = io.BytesIO()
    Image.frombytes("RGB", size, pixels).save(out, fmt)
    return out.getvalue()
