"""A server in a process with few file descriptors, for tests/common/test_fd_limits.py.

``python -m tests.common.fd_limited_server LIMIT FREE LOOP``: the open-files limit is
LIMIT; with FREE > 0, descriptors are then held until only FREE remain (so that accept()
itself fails); LOOP is ``asyncio`` or ``uvloop``. Prints its URL, serves ``/ok`` until
SIGTERM (``/slow`` never answers), and logs (WARNING and up) to stderr as the CLI does.
"""

from __future__ import annotations

import asyncio
import logging
import os
import resource
import signal
import sys

from aiohttp import web

from common.serving import ConnectionLimits, serve


def hold_descriptors(free: int) -> list[int]:
    held = []
    try:
        while True:
            held.append(os.open(os.devnull, os.O_RDONLY))
    except OSError:
        pass
    for fd in held[len(held) - free :]:
        os.close(fd)
    return held[: len(held) - free]


async def main(free: int) -> None:
    async def ok(_: web.Request) -> web.Response:
        return web.Response(text="ok")

    never = asyncio.Event()

    async def slow(_: web.Request) -> web.Response:
        await never.wait()  # busy until the server stops
        return web.Response(text="slow")

    app = web.Application()
    app.router.add_get("/ok", ok)
    app.router.add_get("/slow", slow)
    served = await serve(app, limits=ConnectionLimits(header_timeout=30, keepalive_timeout=30))
    held = hold_descriptors(free) if free else []
    print(served.url, len(held), flush=True)
    stop = asyncio.Event()
    asyncio.get_running_loop().add_signal_handler(signal.SIGTERM, stop.set)
    await stop.wait()
    never.set()  # the busy requests end, so that the server closes at once
    for fd in held:
        os.close(fd)
    await served.close()


if __name__ == "__main__":
    limit, free, loop = int(sys.argv[1]), int(sys.argv[2]), sys.argv[3]
    resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))
    logging.basicConfig(level=logging.WARNING, format="%(name)s %(levelname)s %(message)s")
    if loop == "uvloop":
        import uvloop  # type: ignore[import-not-found]

        uvloop.install()
    asyncio.run(main(free))
