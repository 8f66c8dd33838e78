"""Status: liveness (``/api/ping``) and a systems check that really asks S3 and DynamoDB."""

from __future__ import annotations

import asyncio
from typing import Any

from aiohttp import web

from origin.app_keys import STORAGE
from origin.storage import Storage

# A probe must answer even when storage hangs. This bounds real I/O, so it is wall
# time on purpose: a manual simulated clock would never let it expire.
CHECK_TIMEOUT_SECONDS = 5.0


async def list_ping(request: web.Request) -> web.Response:
    return web.Response(text="pong")


async def _check(storage: Storage, service: str) -> dict[str, Any]:
    try:
        return await asyncio.wait_for(storage.check(service), CHECK_TIMEOUT_SECONDS)
    except TimeoutError:
        return {"ok": False, "error": f"no answer within {CHECK_TIMEOUT_SECONDS:g} s"}


async def list_systems_check(request: web.Request) -> web.Response:
    storage = request.app[STORAGE]
    s3, dynamodb = await asyncio.gather(_check(storage, "s3"), _check(storage, "dynamodb"))
    healthy = s3["ok"] and dynamodb["ok"]
    body = {"status": "ok" if healthy else "failing", "checks": {"s3": s3, "dynamodb": dynamodb}}
    return web.json_response(
        body, status=200 if healthy else 503, headers={"Cache-Control": "no-store"}
    )


ROUTES: list[web.RouteDef] = [
    web.get("/api/ping", list_ping),
    web.get("/api/systemsCheck", list_systems_check),
]
