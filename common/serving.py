"""Serving an aiohttp app on a port: the one way every server of ours starts."""

from __future__ import annotations

import socket
import ssl

from aiohttp import web


async def serve_app(
    app: web.Application,
    host: str = "127.0.0.1",
    port: int = 0,
    *,
    sock: socket.socket | None = None,
    ssl_context: ssl.SSLContext | None = None,
    reuse_port: bool = False,
) -> tuple[web.AppRunner, str]:
    """Serve ``app`` on ``host:port`` (0: any free port), or on ``sock`` already bound;
    the runner to clean up and the base URL."""
    runner = web.AppRunner(app, access_log=None)
    await runner.setup()
    try:
        url = await listen(
            runner, host, port, sock=sock, ssl_context=ssl_context, reuse_port=reuse_port
        )
    except BaseException:
        await runner.cleanup()  # the app's cleanup contexts (storage, pools) end with it
        raise
    return runner, url


async def listen(
    runner: web.AppRunner,
    host: str,
    port: int,
    *,
    sock: socket.socket | None = None,
    ssl_context: ssl.SSLContext | None = None,
    reuse_port: bool = False,
) -> str:
    """One more listening site for ``runner``; its base URL."""
    site: web.BaseSite
    if sock is not None:
        site = web.SockSite(runner, sock, ssl_context=ssl_context)
    else:
        site = web.TCPSite(
            runner, host, port, ssl_context=ssl_context, reuse_port=reuse_port or None
        )
    await site.start()
    port = sock.getsockname()[1] if sock is not None else runner.addresses[-1][1]
    scheme = "https" if ssl_context else "http"
    return f"{scheme}://{host}:{port}"
