"""The served OpenAPI document is a contract others can test: schemathesis drives every
operation with generated input; no 5xx, every response within the document."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator

import aiohttp
import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis import checks
from schemathesis.specs.openapi import checks as openapi_checks

from cdnsim.demo import seed_demo
from origin.auth import make_token
from origin.openapi import build_document
from origin.settings import DEV_JWT_SECRET, OriginSettings
from tests.origin.live import live_origin

AUTH = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}
schema = schemathesis.openapi.from_dict(build_document())
CHECKS = [
    checks.not_a_server_error,
    openapi_checks.status_code_conformance,
    openapi_checks.content_type_conformance,
    openapi_checks.response_schema_conformance,
]


@pytest.fixture(scope="module")
def origin_url(moto_server) -> Iterator[str]:  # type: ignore[no-untyped-def]
    moto_server.reset()
    from origin.storage import StorageSettings

    storage = StorageSettings(
        endpoint_url=moto_server.url, access_key_id="testing", secret_access_key="testing"
    )
    with live_origin(OriginSettings(storage=storage, render_workers=1, id_seed=99)) as url:

        async def seed() -> None:
            async with aiohttp.ClientSession() as session:
                await seed_demo(session, url, AUTH, packs=2)

        asyncio.run(seed())
        yield url


def test_served_document_is_the_built_one(origin_url):
    import requests

    served = requests.get(f"{origin_url}/openapi.json", timeout=10).json()
    assert served["openapi"] == "3.1.0"
    assert served["paths"].keys() == build_document()["paths"].keys()


@schema.parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_every_operation_keeps_its_contract(case, origin_url):
    response = case.call(base_url=origin_url, headers=AUTH, timeout=30)
    case.validate_response(response, checks=CHECKS)
