"""The origin app factory."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import AsyncIterator

import aiohttp
from aiohttp import web
from botocore.exceptions import BotoCoreError, ClientError

from common.clock import Clock
from common.errors import ServiceUnavailable, json_errors
from common.events import EventLog
from common.ids import IdGenerator
from origin import app_keys
from origin.aggregator.invalidator import EdgeInvalidations, PackInvalidator
from origin.backends import Backends
from origin.responses.platform import platform_host
from origin.routes import ROUTES
from origin.serving.backend import ServingBackend
from origin.serving.render_pool import OnDemandRenderPool
from origin.settings import OriginSettings
from origin.simulation import RuntimeSwitches, injected_faults
from origin.storage import Storage, open_storage


def create_app(
    settings: OriginSettings,
    *,
    clock: Clock | None = None,
    events: EventLog | None = None,
    storage: Storage | None = None,
    ids: IdGenerator | None = None,
    switches: RuntimeSwitches | None = None,
) -> web.Application:
    """The origin. ``storage`` may be shared (the stack and tests pass one in); without
    it the app opens its own from ``settings.storage`` for its lifetime. ``switches``:
    what a simulation changes while it runs (the stack keeps them; default: as settings say)."""
    clock = clock or Clock()
    switches = switches or RuntimeSwitches.from_settings(settings)
    # Uploads are the largest bodies we accept; JSON handlers check their own, smaller limit.
    app = web.Application(
        middlewares=[
            json_errors,
            platform_host,
            injected_faults(switches, clock),
            storage_unavailable,
        ],
        client_max_size=settings.max_upload_bytes + 64 * 1024,
    )
    app[app_keys.SETTINGS] = settings
    app[app_keys.CLOCK] = clock
    app[app_keys.EVENTS] = events or EventLog(clock)
    app[app_keys.IDS] = ids or IdGenerator(settings.id_seed)
    app[app_keys.SWITCHES] = switches
    app.add_routes(ROUTES)
    app.cleanup_ctx.append(_storage_ctx(storage))
    app.cleanup_ctx.append(_http_ctx)
    app.cleanup_ctx.append(_serving_ctx)
    return app


@web.middleware
async def storage_unavailable(request: web.Request, handler):  # type: ignore[no-untyped-def]
    """S3 or DynamoDB failing under a request is a 503 (an edge may serve stale), not a 500."""
    try:
        return await handler(request)
    except (BotoCoreError, ClientError) as exc:
        raise ServiceUnavailable(
            f"storage unavailable: {str(exc)[:200]}", code="storage_unavailable"
        ) from None


def _storage_ctx(shared: Storage | None):  # type: ignore[no-untyped-def]
    async def ctx(app: web.Application) -> AsyncIterator[None]:
        async with contextlib.AsyncExitStack() as stack:
            storage = (
                shared
                if shared is not None
                else await stack.enter_async_context(open_storage(app[app_keys.SETTINGS].storage))
            )
            app[app_keys.STORAGE] = storage
            app[app_keys.BACKENDS] = Backends.create(
                app[app_keys.SETTINGS],
                storage,
                app[app_keys.CLOCK],
                app[app_keys.EVENTS],
                app[app_keys.IDS],
            )
            app[app_keys.INVALIDATOR] = _invalidator(
                app[app_keys.SETTINGS], storage, app[app_keys.EVENTS]
            )
            yield
            # Background copies (copyImagePacks) stop before the storage they write to closes.
            await app[app_keys.BACKENDS].packs.close()

    return ctx


def _invalidator(settings: OriginSettings, storage: Storage, events: EventLog) -> PackInvalidator:
    pipeline = settings.pipeline
    edge = (
        EdgeInvalidations(pipeline.edge_control_url, pipeline.distribution_id)
        if pipeline.edge_control_url
        else None
    )
    return PackInvalidator(storage, events, pipeline, edge)


async def _http_ctx(app: web.Application) -> AsyncIterator[None]:
    # For fetchImage: never follows redirects to hosts configuration did not allow.
    async with aiohttp.ClientSession(
        timeout=aiohttp.ClientTimeout(total=app[app_keys.SETTINGS].fetch_timeout)
    ) as http:
        app[app_keys.HTTP] = http
        yield


async def _serving_ctx(app: web.Application) -> AsyncIterator[None]:
    # Renders run on their own processes (real parallelism), started on the first render;
    # storage is ready by now because its context was entered first.
    pool = OnDemandRenderPool(app[app_keys.SETTINGS].render_workers)
    app[app_keys.RENDER_POOL] = pool
    settings, storage, events = app[app_keys.SETTINGS], app[app_keys.STORAGE], app[app_keys.EVENTS]
    app[app_keys.SERVING] = ServingBackend(settings, storage, events, pool)
    try:
        yield
    finally:
        await asyncio.to_thread(pool.close)
