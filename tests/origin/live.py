"""An origin served from a background thread with its own event loop, for clients that
block (schemathesis, requests) in a test."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from common.clock import Clock
from common.serving import ServedApp, serve
from origin.app import create_app
from origin.settings import OriginSettings


@contextmanager
def live_origin(settings: OriginSettings) -> Iterator[str]:
    loop = asyncio.new_event_loop()
    started = threading.Event()
    state: dict[str, object] = {}

    async def start() -> None:
        state["served"] = await serve(create_app(settings, clock=Clock.manual()))

    def run_loop() -> None:
        asyncio.set_event_loop(loop)
        try:
            loop.run_until_complete(start())
        except Exception as exc:  # noqa: BLE001 — any start-up failure is raised in the test thread below
            state["error"] = exc
        started.set()
        if "error" not in state:
            loop.run_forever()

    thread = threading.Thread(target=run_loop, daemon=True)
    thread.start()
    started.wait(60)
    if "error" in state:
        raise RuntimeError("origin did not start") from state["error"]  # type: ignore[arg-type]
    try:
        served = state["served"]
        assert isinstance(served, ServedApp)
        yield served.url
    finally:
        asyncio.run_coroutine_threadsafe(served.close(), loop).result(60)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(30)
