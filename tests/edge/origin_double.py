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
from edge.rules.cache_control import format_http_date


@dataclass
class Reply:
    status: int = 200
    body: bytes = b"body"
    headers: dict[str, str] = field(default_factory=dict)
    etag: str | None = None  # answer If-None-Match with 304 when it matches
    hang: bool = False  # wait forever (a slow origin)


class OriginDouble:
    def __init__(self, clock: Clock) -> None:
        self.clock = clock
        self.replies: dict[str, Reply] = {}
        self.counts: Counter[str] = Counter()
        self.requests: list[web.Request] = []
        self.received: list[dict[str, str]] = []  # headers of each request, lower-cased names
        self.release = asyncio.Event()  # never set unless a test wants hung requests to finish
        self.app = web.Application()
        self.app.router.add_route("*", "/{tail:.*}", self.handle)

    def reply(self, path: str, **kwargs: object) -> Reply:
        self.replies[path] = Reply(**kwargs)  # type: ignore[arg-type]
        return self.replies[path]

    def count(self, path: str) -> int:
        return self.counts[path]

    async def handle(self, request: web.Request) -> web.StreamResponse:
        path = request.rel_url.raw_path
        self.counts[path] += 1
        self.received.append({k.lower(): v for k, v in request.headers.items()})
        reply = self.replies.get(path, Reply())
        if reply.hang:
            await self.release.wait()
        headers = {"Date": format_http_date(self.clock.now()), **reply.headers}
        if reply.etag is not None:
            headers["ETag"] = reply.etag
            if request.headers.get("If-None-Match") == reply.etag:
                return web.Response(status=304, headers=headers)
        body = reply.body + f"#{self.counts[path]}".encode() if reply.status != 204 else b""
        return web.Response(status=reply.status, body=body, headers=headers)
