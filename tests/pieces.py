"""Bodies that arrive as the network delivers them: in small pieces with pauses, so that a
reader which takes the first buffered bytes for the whole body is caught (PITFALLS.md)."""

from __future__ import annotations

import asyncio

from aiohttp import web

PIECE = 4096
PAUSE = 0.002  # seconds between pieces: each arrives in its own read


async def send_in_pieces(
    request: web.Request, body: bytes, content_type: str, *, piece: int = PIECE
) -> web.StreamResponse:
    """Answer ``request`` with ``body`` (chunked, no Content-Length) a piece at a time."""
    response = web.StreamResponse(headers={"Content-Type": content_type})
    response.enable_chunked_encoding()
    await response.prepare(request)
    for start in range(0, len(body), piece):
        await response.write(body[start : start + piece])
        await asyncio.sleep(PAUSE)
    await response.write_eof()
    return response


async def pieces(body: bytes, piece: int = PIECE):  # type: ignore[no-untyped-def]
    """A request body for aiohttp's client, a piece at a time."""
    for start in range(0, len(body), piece):
        yield body[start : start + piece]
        await asyncio.sleep(PAUSE)
