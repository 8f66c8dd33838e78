"""Buckets and tables are created if absent, by any number of processes at once."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from botocore.exceptions import ClientError

from origin.storage import Storage, StorageSettings
from origin.storage.resources import StorageSetupError, ensure_table, table_definition
from origin.storage.store import TABLES


def _tables(storage: Storage) -> set[str]:
    return set(storage.dynamodb.list_tables()["TableNames"])


def test_many_creators_at_the_same_moment_all_succeed(storage_settings: StorageSettings) -> None:
    creators = [Storage(storage_settings, storage_settings.endpoint_url) for _ in range(6)]
    start = threading.Barrier(len(creators))
    errors: list[BaseException] = []

    def create(storage: Storage) -> None:
        start.wait()
        try:
            storage.create_resources()
        except BaseException as exc:  # noqa: BLE001 (collected for the assertion)
            errors.append(exc)

    threads = [threading.Thread(target=create, args=(s,)) for s in creators]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    try:
        assert errors == []
        assert {storage_settings.table(t) for t in TABLES} <= _tables(creators[0])
        buckets = {b["Name"] for b in creators[0].s3.list_buckets()["Buckets"]}
        assert {storage_settings.originals_bucket, storage_settings.variants_bucket} <= buckets
    finally:
        for storage in creators:
            storage.close()


def test_creating_again_keeps_what_is_there(storage_settings: StorageSettings) -> None:
    storage = Storage(storage_settings, storage_settings.endpoint_url)
    try:
        storage.create_resources()
        storage.s3.put_object(Bucket=storage_settings.originals_bucket, Key="k", Body=b"kept")
        storage.create_resources()
        body = storage.s3.get_object(Bucket=storage_settings.originals_bucket, Key="k")["Body"]
        assert body.read() == b"kept"
    finally:
        storage.close()


def test_a_table_without_the_stream_is_refused_by_name(storage_settings: StorageSettings) -> None:
    storage = Storage(storage_settings, storage_settings.endpoint_url)
    try:
        definition = table_definition("cdnsim-packs")
        del definition["StreamSpecification"]
        storage.dynamodb.create_table(**definition)
        with pytest.raises(StorageSetupError, match="'cdnsim-packs' exists without a"):
            storage.create_resources()
    finally:
        storage.close()


class _CreatingTable:
    """boto3's DynamoDB client as AWS answers while a table is being created."""

    def __init__(self, creating_for: int) -> None:
        self.describes = 0
        self.creating_for = creating_for

    def describe_table(self, TableName: str) -> dict[str, Any]:
        self.describes += 1
        if self.describes == 1:
            raise ClientError({"Error": {"Code": "ResourceNotFoundException"}}, "DescribeTable")
        status = "CREATING" if self.describes <= 1 + self.creating_for else "ACTIVE"
        spec = {"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"}
        return {"Table": {"TableStatus": status, "StreamSpecification": spec}}

    def create_table(self, **_: Any) -> None:
        raise ClientError({"Error": {"Code": "ResourceInUseException"}}, "CreateTable")


def test_waits_until_the_table_is_active() -> None:
    client, pauses = _CreatingTable(creating_for=3), []
    ensure_table(client, "t", sleep=pauses.append)
    assert client.describes == 5 and len(pauses) == 3


def test_a_table_that_never_becomes_active_is_a_clear_error() -> None:
    with pytest.raises(StorageSetupError, match="'t' is still CREATING after 0 s"):
        ensure_table(_CreatingTable(creating_for=10**6), "t", sleep=lambda _: None, timeout=0)
