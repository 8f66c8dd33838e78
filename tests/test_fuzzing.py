"""A sample of the fuzzer (tests/fuzzing.py) against an in-process ``--demo`` stack: no
malformed body, wrong type or path traversal gets an answer of 500 or more."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from origin.storage import StorageSettings
from tests import fuzzing


@pytest.fixture
async def demo_ready(moto_server: Any) -> AsyncIterator[dict[str, Any]]:
    moto_server.reset()
    storage = StorageSettings(endpoint_url=moto_server.url, access_key_id="testing",
                              secret_access_key="testing")  # fmt: skip
    settings = StackSettings(origin=OriginSettings(storage=storage, render_workers=1, id_seed=9),
                             pops=1, shield=False, demo=True, seed=9)  # fmt: skip
    stack = Stack(settings, Clock.manual())
    await stack.start()
    yield stack.ready()
    await stack.stop()


async def test_no_fuzzed_request_to_a_json_endpoint_gets_a_5xx(demo_ready: dict[str, Any]):
    endpoints = await fuzzing.stack_endpoints(demo_ready)
    tallies = await fuzzing.run(endpoints, sample=SAMPLE)
    await fuzzing.restore(demo_ready)
    assert all(t.tries > 0 for t in tallies.values())
    assert {k: t.errors for k, t in tallies.items()} == {k: [] for k in tallies}


SAMPLE = 0.08
