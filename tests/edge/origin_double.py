"""A small real HTTP origin for edge tests: counts requests, answers as told.

Bodies end in ``#n``, the number of requests that path has seen, so a test can tell a
cached body from a fresh one. ``Date`` comes from the test's manual clock.
"""

from __future__ import annotations

import asyncio
from collections import Counter
from dataclasses import dataclass, field

from aiohttp import web

from common.clock import Clock
from edge.rules.http_date import format_http_date


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"body"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer If-None-Match with 304 when it matches
    hang: bool = False  # wait forever (a slow origin)
    ranges: bool = False  # answer a single-range Range with 206 (If-Range on the ETag)
    hang_ranges: bool = False  # hold requests with a Range until ``release`` (others pass)


class OriginDouble:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.replies: dict[str, Reply] = {}
        self.counts: Counter[str] = Counter()
        self.requests: list[web.Request] = []
        self.received: list[dict[str, str]] = []  # headers of each request, lower-cased names
        self.log: list[tuple[str, str, bytes]] = []  # path, method and body of each request
        self.release = asyncio.Event()  # never set unless a test wants hung requests to finish
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def reply(self, path: str, **kwargs: object) -> Reply:
        self.replies[path] = Reply(**kwargs)  # type: ignore[arg-type]
        return self.replies[path]

    def count(self, path: str) -> int:
        return self.counts[path]

    def requests_of(self, path: str) -> list[tuple[str, bytes]]:
        """Method and body of every request for ``path``, in order."""
        return [(method, body) for p, method, body in self.log if p == path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.raw_path
        self.counts[path] += 1
        self.received.append({k.lower(): v for k, v in request.headers.items()})
        self.log.append((path, request.method, await request.read()))
        reply = self.replies.get(path, Reply())
        if reply.hang or (reply.hang_ranges and "Range" in request.headers):
            await self.release.wait()
        headers = {"Date": format_http_date(self.clock.now()), **reply.headers}
        if reply.etag is not None:
            headers["ETag"] = reply.etag
            if request.headers.get("If-None-Match") == reply.etag:
                return web.Response(status=304, headers=headers)
        body = reply.body + f"#{self.counts[path]}".encode() if reply.status != 204 else b""
        if reply.ranges and reply.status == 200 and "Range" in request.headers:
            return _partial(request, body, headers, reply.etag)
        return web.Response(status=reply.status, body=body, headers=headers)


def _partial(
    request: web.Request, body: bytes, headers: dict[str, str], etag: str | None
) -> web.Response:
    """A simple origin's Range support: one range, If-Range compared with the ETag."""
    if_range = request.headers.get("If-Range")
    if if_range is not None and if_range != etag:
        return web.Response(body=body, headers=headers)
    wanted = request.http_range
    start, stop, _ = wanted.indices(len(body))
    if start >= stop:
        headers["Content-Range"] = f"bytes */{len(body)}"
        return web.Response(status=416, headers=headers)
    headers["Content-Range"] = f"bytes {start}-{stop - 1}/{len(body)}"
    return web.Response(status=206, body=body[start:stop], headers=headers)
