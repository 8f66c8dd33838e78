"""Serving tests render in-process (render_workers=0) unless a test asks for the process pool;
``serving_client(**overrides)`` starts an origin with other settings on the same storage."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import replace
from typing import Any

import pytest
from aiohttp.test_utils import TestClient

from common.clock import Clock
from common.events import EventLog
from common.ids import IdGenerator
from origin.app import create_app
from origin.settings import OriginSettings
from origin.storage import Storage

ClientFactory = Callable[..., Awaitable[TestClient[Any, Any]]]


@pytest.fixture
def origin_settings(origin_settings: OriginSettings) -> OriginSettings:
    return replace(origin_settings, render_workers=0)


@pytest.fixture
def serving_client(
    aiohttp_client: Any,
    origin_settings: OriginSettings,
    clock: Clock,
    events: EventLog,
    storage: Storage,
) -> ClientFactory:
    async def start(**overrides: Any) -> TestClient[Any, Any]:
        app = create_app(
            replace(origin_settings, **overrides),
            clock=clock,
            events=events,
            storage=storage,
            ids=IdGenerator(1),
        )
        client: TestClient[Any, Any] = await aiohttp_client(app)
        return client

    return start
