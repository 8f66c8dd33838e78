"""Shared fixtures: one real moto server per session, reset between tests; the origin
app on a real aiohttp test server; admin tokens."""

from __future__ import annotations

import io
from collections.abc import AsyncIterator, Iterator
from dataclasses import replace

import pytest
from PIL import Image

from common.clock import Clock
from common.events import EventLog
from common.ids import IdGenerator
from origin.app import create_app
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET, OriginSettings
from origin.storage import EmbeddedMoto, Storage, StorageSettings
from tests.wire import TrickleOrigin

# pytester: the pytest plugin's tests run a user's test file in a pytest of its own.
pytest_plugins = ["pytester"]


@pytest.fixture(scope="session")
def moto_server() -> Iterator[EmbeddedMoto]:
    server = EmbeddedMoto()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def storage_settings(moto_server: EmbeddedMoto) -> StorageSettings:
    moto_server.reset()
    return StorageSettings(
        endpoint_url=moto_server.url,
        access_key_id="testing",
        secret_access_key="testing",
        io_threads=32,
        # Each test opens its own Storage after the reset, the only writer of the server:
        # every origin test runs with the exact memo, as the embedded default does.
        memo="exact",
        variants_start_empty=True,
    )


@pytest.fixture
def clock() -> Clock:
    return Clock.manual()


@pytest.fixture
def events(clock: Clock) -> EventLog:
    return EventLog(clock)


@pytest.fixture
def origin_settings(storage_settings: StorageSettings) -> OriginSettings:
    return OriginSettings(storage=storage_settings, id_seed=1234, default_tenant="demo")


@pytest.fixture
async def storage(storage_settings: StorageSettings) -> AsyncIterator[Storage]:
    store = Storage(storage_settings, storage_settings.endpoint_url)
    await store.run(store.create_resources)
    yield store
    store.close()


@pytest.fixture
async def origin_client(aiohttp_client, origin_settings, clock, events, storage):  # type: ignore[no-untyped-def]
    """A test client of the origin on 127.0.0.1, sharing ``storage``, ``clock`` and ``events``."""
    app = create_app(
        origin_settings, clock=clock, events=events, storage=storage, ids=IdGenerator(1234)
    )
    return await aiohttp_client(app)


@pytest.fixture
async def trickle_origin(aiohttp_server):  # type: ignore[no-untyped-def]
    """A real server that answers in small pieces with pauses (see :mod:`tests.wire`)."""
    origin = TrickleOrigin()
    server = await aiohttp_server(origin.app())
    origin.url = str(server.make_url("")).rstrip("/")
    return origin


@pytest.fixture
def admin_headers() -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}


def token_for(tenant: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, tenant)}"}


def png_bytes(
    size: tuple[int, int] = (64, 48), color: tuple[int, int, int] = (200, 30, 30), fmt: str = "PNG"
) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


__all__ = ["png_bytes", "replace", "token_for"]
