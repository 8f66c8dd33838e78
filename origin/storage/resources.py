"""Buckets and tables, created if absent: idempotent and safe when several processes
start at the same moment (the origin and the aggregator of a separate-process stack
both create them against one endpoint).

Each resource is created only when it is missing, and "someone else just created it"
(``ResourceInUseException``, ``BucketAlreadyOwnedByYou``) counts as success. A table is
usable only once it is ``ACTIVE`` (AWS creates tables asynchronously; moto at once), so
creation waits for that, polling ``DescribeTable``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError

# Wall-clock bounds: AWS makes a table ACTIVE within seconds, rarely a minute.
TABLE_ACTIVE_TIMEOUT = 120.0
_POLL_FIRST, _POLL_MAX = 0.2, 5.0

STREAM_VIEW = "NEW_AND_OLD_IMAGES"


class StorageSetupError(Exception):
    """The storage cannot be used as configured: unreachable, no credentials, a bucket or
    table that exists but is not ours or has no stream. The message says which."""

    configuration_error = True  # the command line reports it as one line (cdnsim.cli)


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def ensure_buckets(s3: Any, names: Iterable[str], region: str) -> None:
    for name in names:
        ensure_bucket(s3, name, region)


def ensure_bucket(s3: Any, name: str, region: str) -> None:
    """Create ``name`` unless it exists and is ours; another creator winning the race is fine."""
    if _bucket_is_ours(s3, name):
        return
    kwargs: dict[str, Any] = {"Bucket": name}
    if region != "us-east-1":  # S3 refuses the default region as a LocationConstraint
        kwargs["CreateBucketConfiguration"] = {"LocationConstraint": region}
    try:
        s3.create_bucket(**kwargs)
    except ClientError as exc:
        if _code(exc) == "BucketAlreadyOwnedByYou":
            return
        if _code(exc) == "BucketAlreadyExists" and _bucket_is_ours(s3, name):
            return  # us-east-1 answers this to a concurrent creator too
        if _code(exc) == "BucketAlreadyExists":
            raise StorageSetupError(
                f"bucket {name!r} exists and belongs to another account: choose another name"
            ) from None
        raise


def _bucket_is_ours(s3: Any, name: str) -> bool:
    try:
        s3.head_bucket(Bucket=name)
    except ClientError as exc:
        if _code(exc) in ("404", "NoSuchBucket", "NotFound"):
            return False
        if _code(exc) in ("403", "AccessDenied"):
            return False  # someone else's: create_bucket then says so
        raise
    return True


def ensure_table(
    dynamodb: Any,
    name: str,
    *,
    sleep: Callable[[float], None] = time.sleep,
    timeout: float = TABLE_ACTIVE_TIMEOUT,
) -> None:
    """Create the table (``tenant``/``id`` key, streams with old and new images) unless it
    exists, then wait until it is ACTIVE with its stream on."""
    description = _describe(dynamodb, name)
    if description is None:
        try:
            dynamodb.create_table(**table_definition(name))
        except ClientError as exc:
            if _code(exc) != "ResourceInUseException":  # created by another process meanwhile
                raise
    _wait_active(dynamodb, name, sleep=sleep, timeout=timeout)


def table_definition(name: str) -> dict[str, Any]:
    return {
        "TableName": name,
        "KeySchema": [
            {"AttributeName": "tenant", "KeyType": "HASH"},
            {"AttributeName": "id", "KeyType": "RANGE"},
        ],
        "AttributeDefinitions": [
            {"AttributeName": "tenant", "AttributeType": "S"},
            {"AttributeName": "id", "AttributeType": "S"},
        ],
        "BillingMode": "PAY_PER_REQUEST",
        "StreamSpecification": {"StreamEnabled": True, "StreamViewType": STREAM_VIEW},
    }


def _describe(dynamodb: Any, name: str) -> dict[str, Any] | None:
    try:
        return dict(dynamodb.describe_table(TableName=name)["Table"])
    except ClientError as exc:
        if _code(exc) == "ResourceNotFoundException":
            return None
        raise


def _wait_active(
    dynamodb: Any, name: str, *, sleep: Callable[[float], None], timeout: float
) -> None:
    deadline = time.monotonic() + timeout
    delay = _POLL_FIRST
    while True:
        table = _describe(dynamodb, name)
        if table is not None and table.get("TableStatus") == "ACTIVE":
            _check_stream(name, table)
            return
        if time.monotonic() >= deadline:
            status = table.get("TableStatus") if table else "missing"
            raise StorageSetupError(f"table {name!r} is still {status} after {timeout:g} s")
        sleep(delay)
        delay = min(delay * 2, _POLL_MAX)


def _check_stream(name: str, table: dict[str, Any]) -> None:
    spec = table.get("StreamSpecification") or {}
    if not spec.get("StreamEnabled") or spec.get("StreamViewType") != STREAM_VIEW:
        raise StorageSetupError(
            f"table {name!r} exists without a {STREAM_VIEW} stream, which the aggregator "
            "reads: enable it or choose another --table-prefix"
        )
