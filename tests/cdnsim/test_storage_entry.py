"""The ready file's ``storage`` entry says where the stack's storage is and what it holds,
truly: the embedded server's one endpoint, another endpoint as configured, per-service
endpoints apart; and what it names is there (boto3 finds the buckets and the demo's packs)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from dataclasses import replace
from typing import Any

import boto3
import pytest

from cdnsim.stack import Stack, StackSettings
from common.clock import Clock
from origin.settings import OriginSettings
from origin.storage import EmbeddedMoto, StorageSettings

StackFactory = Callable[..., Any]


@pytest.fixture
async def start_stack() -> AsyncIterator[StackFactory]:
    stacks: list[Stack] = []

    async def start(storage: StorageSettings, **settings: Any) -> Stack:
        origin = OriginSettings(storage=storage, render_workers=1)
        stack = Stack(
            StackSettings(origin=origin, pops=1, shield=False, **settings), Clock.manual()
        )
        stacks.append(stack)
        await stack.start()
        return stack

    yield start
    for stack in stacks:
        await stack.stop()


def client(service: str, entry: dict[str, Any]) -> Any:
    return boto3.client(
        service,
        endpoint_url=entry["endpoint"] if service == "s3" else entry["dynamodb"],
        region_name=entry["region"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


async def test_the_embedded_storage_is_one_endpoint_holding_what_the_entry_names(
    start_stack: StackFactory,
) -> None:
    stack = await start_stack(StorageSettings(), demo=True, vendors={})
    entry = stack.ready()["storage"]
    assert entry["embedded"] is True
    assert entry["endpoint"] == entry["dynamodb"]
    assert entry["endpoint"].startswith("http://127.0.0.1:")
    assert entry["buckets"] == {"originals": "cdnsim-originals", "variants": "cdnsim-variants"}
    assert entry["tables"] == {
        "packs": "cdnsim-packs",
        "location_configs": "cdnsim-location_configs",
        "regions": "cdnsim-regions",
        "aggregator_state": "cdnsim-aggregator_state",
    }
    buckets = {b["Name"] for b in client("s3", entry).list_buckets()["Buckets"]}
    assert set(entry["buckets"].values()) <= buckets
    packs = client("dynamodb", entry).scan(TableName=entry["tables"]["packs"])["Items"]
    assert len(packs) == 6  # the demo's
    originals = client("s3", entry).list_objects_v2(Bucket=entry["buckets"]["originals"])
    assert originals["KeyCount"] > 0


async def test_another_endpoint_is_named_as_configured_and_not_embedded(
    start_stack: StackFactory, moto_server: EmbeddedMoto, storage_settings: StorageSettings
) -> None:
    settings = replace(storage_settings, table_prefix="mine-", originals_bucket="my-originals")
    stack = await start_stack(settings, vendors={})
    entry = stack.ready()["storage"]
    assert entry["embedded"] is False
    assert entry["endpoint"] == entry["dynamodb"] == moto_server.url
    assert entry["buckets"]["originals"] == "my-originals"
    assert entry["tables"]["packs"] == "mine-packs"


async def test_per_service_endpoints_are_named_apart(
    start_stack: StackFactory, moto_server: EmbeddedMoto, storage_settings: StorageSettings
) -> None:
    # One server under two names stands for S3 in one place and DynamoDB in another.
    dynamodb = moto_server.url.replace("127.0.0.1", "localhost")
    settings = replace(
        storage_settings, s3_endpoint_url=moto_server.url, dynamodb_endpoint_url=dynamodb
    )
    stack = await start_stack(settings, vendors={})
    entry = stack.ready()["storage"]
    assert (entry["endpoint"], entry["dynamodb"]) == (moto_server.url, dynamodb)
    assert client("dynamodb", entry).describe_table(TableName=entry["tables"]["packs"])
