"""The storage facade: S3 objects and DynamoDB items through boto3 on a sized thread pool.

Everything the origin and the aggregator keep goes through :class:`Storage`, so that
the embedded durability mirror (see :mod:`origin.storage.mirror`) sees every write.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import threading
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from typing import Any, TypeVar

import boto3
from boto3.dynamodb.types import TypeDeserializer, TypeSerializer
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from origin.storage.coherence import Coherence
from origin.storage.embedded import EmbeddedMoto
from origin.storage.memo import StorageMemo
from origin.storage.mirror import Mirror
from origin.storage.resources import StorageSetupError, ensure_buckets, ensure_table
from origin.storage.settings import AWS, StorageSettings
from origin.storage.written_keys import WrittenKeys

T = TypeVar("T")

TABLES = ("packs", "location_configs", "regions", "aggregator_state")
# What every cold render reads: memoized when the memo is on (see origin.storage.memo).
MEMO_TABLES = frozenset({"packs", "location_configs", "regions"})
_serializer = TypeSerializer()
_deserializer = TypeDeserializer()


class ConditionFailed(Exception):
    """A conditional DynamoDB write found another version than it expected."""


class StorageUnavailable(Exception):
    """The storage endpoint did not answer."""


@dataclass(frozen=True)
class Blob:
    body: bytes
    content_type: str
    metadata: Mapping[str, str] = field(default_factory=dict)
    last_modified: float = 0.0
    etag: str = ""


@dataclass(frozen=True)
class StoredObject:
    """One object of a listing: its key, size in bytes and when it was stored."""

    key: str
    size: int
    last_modified: float


def _client_config(settings: StorageSettings) -> Config:
    return Config(
        max_pool_connections=settings.max_pool_connections,
        connect_timeout=2,
        read_timeout=20,
        retries={"max_attempts": 2, "mode": "standard"},
        s3={"addressing_style": "path"},
    )


# One boto3 session per process. Each session loads and caches the service models (about
# 10 MB for S3, DynamoDB and Streams) and botocore keeps them alive: a session per Storage
# made a test run that opens a storage per test grow to 5 GB.
_SESSION_LOCK = threading.Lock()
_SESSION: boto3.session.Session | None = None


def _shared_session() -> boto3.session.Session:
    global _SESSION
    if _SESSION is None:
        _SESSION = boto3.session.Session()
    return _SESSION


class Storage:
    def __init__(
        self,
        settings: StorageSettings,
        endpoint_url: str | None,
        *,
        coherence: Coherence | None = None,
        written_variants: WrittenKeys | None = None,
    ) -> None:
        """``coherence`` and ``written_variants``: shared with the other processes that
        write this storage (origin workers); without them, this process's own."""
        self.settings = settings
        self.endpoint_url = endpoint_url
        self.executor = ThreadPoolExecutor(settings.io_threads, thread_name_prefix="storage")
        credentials: dict[str, str] = {}
        if settings.access_key_id and settings.secret_access_key:
            credentials = {
                "aws_access_key_id": settings.access_key_id,
                "aws_secret_access_key": settings.secret_access_key,
            }
        config = _client_config(settings)

        def client(service: str, override: str | None) -> Any:
            with _SESSION_LOCK:  # creating clients is not thread-safe
                return _shared_session().client(
                    service,
                    endpoint_url=override or endpoint_url,
                    region_name=settings.region,
                    config=config,
                    **credentials,
                )

        self.s3 = client("s3", settings.s3_endpoint_url)
        self.dynamodb = client("dynamodb", settings.dynamodb_endpoint_url)
        self.streams = client("dynamodbstreams", settings.dynamodb_endpoint_url)
        self.mirror: Mirror | None = None
        self.embedded: EmbeddedMoto | None = None  # the embedded server, when it is ours
        self.memo: StorageMemo | None = None
        if settings.memo_exact:
            self.memo = StorageMemo(
                coherence or Coherence.private(),
                tables=MEMO_TABLES,
                bucket=settings.originals_bucket,
                object_bytes=settings.originals_memo_bytes,
            )
        self.written_variants: WrittenKeys | None = None
        if self.memo is not None and settings.variants_start_empty:
            self.written_variants = written_variants or WrittenKeys.private()

    def forget_memo(self) -> None:
        """Storage was wiped behind the memo's back (a reset of the embedded server)."""
        if self.memo is not None:
            self.memo.forget_all()
        if self.written_variants is not None:
            self.written_variants.clear()

    # -- plumbing -------------------------------------------------------------------
    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, functools.partial(fn, *args, **kwargs))

    def table(self, name: str) -> str:
        return self.settings.table(name)

    def close(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        for client in (self.s3, self.dynamodb, self.streams):
            client.close()  # its connection pool
        if self.mirror:
            self.mirror.close()

    # -- resources ------------------------------------------------------------------
    def create_resources(self) -> None:
        """Buckets and tables, each created if absent (see :mod:`origin.storage.resources`)."""
        ensure_buckets(
            self.s3,
            (self.settings.originals_bucket, self.settings.variants_bucket),
            self.settings.region,
        )
        for name in TABLES:
            ensure_table(self.dynamodb, self.table(name))

    # -- S3 -------------------------------------------------------------------------
    def restore_from_mirror(self) -> None:
        """Load everything the mirror kept into a fresh server (without mirroring it again)."""
        mirror, self.mirror = self.mirror, None
        assert mirror is not None
        try:
            for bucket, key, body, content_type, metadata in mirror.objects():
                self._put_object(bucket, key, body, content_type, metadata)
            for table, item in mirror.items():
                self._put_item(table, item, False)
        finally:
            self.mirror = mirror

    async def put_object(
        self,
        bucket: str,
        key: str,
        body: bytes,
        content_type: str,
        metadata: Mapping[str, str] | None = None,
    ) -> None:
        await self.run(self._put_object, bucket, key, body, content_type, dict(metadata or {}))

    def _put_object(
        self, bucket: str, key: str, body: bytes, content_type: str, metadata: dict[str, str]
    ) -> None:
        if self.written_variants is not None and bucket == self.settings.variants_bucket:
            self.written_variants.add(key)  # before: a reader must never miss it
        with self._writing_object(bucket, key):
            self.s3.put_object(
                Bucket=bucket, Key=key, Body=body, ContentType=content_type, Metadata=metadata
            )
        if self.mirror and bucket == self.settings.originals_bucket:
            self.mirror.put_object(bucket, key, body, content_type, metadata)

    def _writing_object(self, bucket: str, key: str) -> contextlib.AbstractContextManager[Any]:
        if self.memo is None or bucket != self.memo.bucket:
            return contextlib.nullcontext()
        return self.memo.writing_object(f"{bucket}/{key}")

    async def get_object(self, bucket: str, key: str) -> Blob | None:
        # What the memo or the written-variants filter answers needs no storage thread.
        if self.memo is not None and bucket == self.memo.bucket:
            hit, found = self.memo.cached_object(f"{bucket}/{key}")
            if hit:
                return found  # type: ignore[no-any-return]
        elif self._never_written(bucket, key):
            return None
        return await self.run(self._get_object, bucket, key)

    def _never_written(self, bucket: str, key: str) -> bool:
        """A variant never written since the bucket was empty (origin.storage.written_keys)."""
        return (
            self.written_variants is not None
            and bucket == self.settings.variants_bucket
            and not self.written_variants.may_exist(key)
        )

    def _get_object(self, bucket: str, key: str) -> Blob | None:
        if self.memo is not None and bucket == self.memo.bucket:
            found: Blob | None = self.memo.object(
                f"{bucket}/{key}", lambda: self._read_object(bucket, key)
            )
            return found
        if self._never_written(bucket, key):
            return None
        return self._read_object(bucket, key)

    def _read_object(self, bucket: str, key: str) -> Blob | None:
        try:
            response = self.s3.get_object(Bucket=bucket, Key=key)
        except ClientError as exc:
            if exc.response["Error"]["Code"] in ("NoSuchKey", "404"):
                return None
            raise
        return Blob(
            body=response["Body"].read(),
            content_type=response.get("ContentType", "application/octet-stream"),
            # S3 keeps user metadata keys in lower case; some servers (MinIO, waitress
            # under moto) capitalise the header names they travel in.
            metadata={name.lower(): value for name, value in response.get("Metadata", {}).items()},
            last_modified=response["LastModified"].timestamp(),
            etag=response.get("ETag", "").strip('"'),
        )

    async def delete_object(self, bucket: str, key: str) -> None:
        await self.run(self._delete_object, bucket, key)

    def _delete_object(self, bucket: str, key: str) -> None:
        with self._writing_object(bucket, key):
            self.s3.delete_object(Bucket=bucket, Key=key)
        if self.mirror and bucket == self.settings.originals_bucket:
            self.mirror.delete_object(bucket, key)

    async def list_keys(self, bucket: str, prefix: str) -> list[str]:
        return await self.run(self._list_keys, bucket, prefix)

    def _list_keys(self, bucket: str, prefix: str) -> list[str]:
        keys: list[str] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            keys.extend(obj["Key"] for obj in page.get("Contents", []))
        return keys

    async def list_objects(self, bucket: str, prefix: str = "") -> list[StoredObject]:
        return await self.run(self._list_objects, bucket, prefix)

    def _list_objects(self, bucket: str, prefix: str) -> list[StoredObject]:
        objects: list[StoredObject] = []
        paginator = self.s3.get_paginator("list_objects_v2")
        for page in paginator.paginate(Bucket=bucket, Prefix=prefix):
            objects.extend(
                StoredObject(o["Key"], o["Size"], o["LastModified"].timestamp())
                for o in page.get("Contents", [])
            )
        return objects

    async def delete_prefix(self, bucket: str, prefix: str) -> int:
        """Delete every object under ``prefix``; returns how many there were."""
        return await self.run(self._delete_prefix, bucket, prefix)

    def _delete_prefix(self, bucket: str, prefix: str) -> int:
        keys = self._list_keys(bucket, prefix)
        self._delete_keys(bucket, keys)
        return len(keys)

    async def delete_keys(self, bucket: str, keys: Sequence[str]) -> None:
        """Delete these objects (absent ones are no error), a thousand per request."""
        await self.run(self._delete_keys, bucket, list(keys))

    def _delete_keys(self, bucket: str, keys: list[str]) -> None:
        for start in range(0, len(keys), 1000):
            chunk = keys[start : start + 1000]
            with contextlib.ExitStack() as writes:
                for key in chunk:
                    writes.enter_context(self._writing_object(bucket, key))
                self.s3.delete_objects(
                    Bucket=bucket, Delete={"Objects": [{"Key": k} for k in chunk], "Quiet": True}
                )
            if self.mirror and bucket == self.settings.originals_bucket:
                for key in chunk:
                    self.mirror.delete_object(bucket, key)

    # -- DynamoDB -------------------------------------------------------------------
    async def get_item(self, table: str, tenant: str, item_id: str) -> dict[str, Any] | None:
        if self.memo is not None and table in self.memo.tables:
            hit, found = self.memo.cached_item(table, tenant, item_id)
            if hit:
                return found
        return await self.run(self._get_item, table, tenant, item_id)

    def _get_item(self, table: str, tenant: str, item_id: str) -> dict[str, Any] | None:
        if self.memo is not None and table in self.memo.tables:
            return self.memo.item(
                table, tenant, item_id, lambda: self._read_item(table, tenant, item_id)
            )
        return self._read_item(table, tenant, item_id)

    def _read_item(self, table: str, tenant: str, item_id: str) -> dict[str, Any] | None:
        response = self.dynamodb.get_item(
            TableName=self.table(table), Key=_key(tenant, item_id), ConsistentRead=True
        )
        item = response.get("Item")
        return _from_dynamo(item) if item else None

    async def put_item(
        self, table: str, item: Mapping[str, Any], *, expect_version: int | None | bool = False
    ) -> None:
        """Write ``item``. ``expect_version``: False → unconditional; None → must not exist;
        an int → the stored ``version`` attribute must equal it."""
        await self.run(self._put_item, table, dict(item), expect_version)

    def _put_item(
        self, table: str, item: dict[str, Any], expect_version: int | None | bool
    ) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table(table), "Item": _to_dynamo(item)}
        if expect_version is None:
            kwargs["ConditionExpression"] = "attribute_not_exists(id)"
        elif expect_version is not False:
            kwargs["ConditionExpression"] = "version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": {"N": str(int(expect_version))}}
        with self._writing_item(table, str(item["tenant"]), str(item["id"])) as write:
            try:
                self.dynamodb.put_item(**kwargs)
            except ClientError as exc:
                if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    raise ConditionFailed(f"{table}/{item['tenant']}/{item['id']}") from None
                raise
            write.stored(_from_dynamo(kwargs["Item"]))  # exactly what a read returns
        if self.mirror:
            self.mirror.put_item(table, item)

    async def delete_item(
        self, table: str, tenant: str, item_id: str, *, expect_version: int | bool = False
    ) -> None:
        """Delete one item. ``expect_version``: False → unconditional; an int → the stored
        ``version`` must equal it (else :class:`ConditionFailed`)."""
        await self.run(self._delete_item, table, tenant, item_id, expect_version)

    def _delete_item(
        self, table: str, tenant: str, item_id: str, expect_version: int | bool = False
    ) -> None:
        kwargs: dict[str, Any] = {"TableName": self.table(table), "Key": _key(tenant, item_id)}
        if expect_version is not False:
            kwargs["ConditionExpression"] = "version = :v"
            kwargs["ExpressionAttributeValues"] = {":v": {"N": str(int(expect_version))}}
        with self._writing_item(table, tenant, item_id) as write:
            try:
                self.dynamodb.delete_item(**kwargs)
            except ClientError as exc:
                if exc.response["Error"]["Code"] == "ConditionalCheckFailedException":
                    raise ConditionFailed(f"{table}/{tenant}/{item_id}") from None
                raise
            write.stored(None)
        if self.mirror:
            self.mirror.delete_item(table, tenant, item_id)

    def _writing_item(
        self, table: str, tenant: str, item_id: str
    ) -> contextlib.AbstractContextManager[Any]:
        if self.memo is None or table not in self.memo.tables:
            return contextlib.nullcontext(_NoMemo())
        return self.memo.writing_item(table, tenant, item_id)

    async def query(self, table: str, tenant: str) -> list[dict[str, Any]]:
        """Every item of one tenant, ordered by id."""
        return await self.run(self._query, table, tenant)

    def _query(self, table: str, tenant: str) -> list[dict[str, Any]]:
        paginator = self.dynamodb.get_paginator("query")
        items: list[dict[str, Any]] = []
        for page in paginator.paginate(
            TableName=self.table(table),
            KeyConditionExpression="tenant = :t",
            ExpressionAttributeValues={":t": {"S": tenant}},
            ConsistentRead=True,
        ):
            items.extend(_from_dynamo(i) for i in page.get("Items", []))
        return items

    # -- health ---------------------------------------------------------------------
    async def check(self, service: str) -> dict[str, Any]:
        """Really ask S3 or DynamoDB something; the latency in ms, or the error."""
        started = time.perf_counter()
        try:
            if service == "s3":
                await self.run(self.s3.head_bucket, Bucket=self.settings.originals_bucket)
            else:
                await self.run(self.dynamodb.describe_table, TableName=self.table("packs"))
        except (BotoCoreError, ClientError) as exc:
            return {"ok": False, "error": str(exc)[:300]}
        return {"ok": True, "latencyMs": round((time.perf_counter() - started) * 1000, 2)}


class _NoMemo:
    def stored(self, value: Any) -> None:
        pass


def _key(tenant: str, item_id: str) -> dict[str, Any]:
    return {"tenant": {"S": tenant}, "id": {"S": item_id}}


def _to_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _serializer.serialize(v) for k, v in item.items() if v is not None}


def _from_dynamo(item: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _deserializer.deserialize(v) for k, v in item.items()}
    # Numbers come back as Decimal; our items only keep integers as numbers.
    return {k: int(v) if type(v).__name__ == "Decimal" else v for k, v in out.items()}


@contextlib.asynccontextmanager
async def open_storage(
    settings: StorageSettings,
    *,
    coherence: Coherence | None = None,
    written_variants: WrittenKeys | None = None,
) -> AsyncIterator[Storage]:
    """Storage ready to use: the embedded server started (and restored from the
    data dir) when configured, buckets and tables created when asked. ``coherence`` and
    ``written_variants``: shared with origin worker processes (``cdnsim.origin_workers``)."""
    moto: EmbeddedMoto | None = None
    endpoint: str | None
    if settings.embedded:
        moto = EmbeddedMoto()
        endpoint = await asyncio.to_thread(moto.start)
        if settings.access_key_id is None:
            settings = _with_test_credentials(settings)
    else:
        endpoint = None if settings.endpoint_url == AWS else settings.endpoint_url
    if moto is not None:
        settings = replace(settings, variants_start_empty=True)
    storage = Storage(settings, endpoint, coherence=coherence, written_variants=written_variants)
    try:
        if settings.create_resources or moto:
            await storage.run(_create_resources, storage)
        if moto and settings.data_dir:
            storage.mirror = Mirror(settings.data_dir / "storage.sqlite3")
            await storage.run(storage.restore_from_mirror)
        storage.embedded = moto
        yield storage
    finally:
        storage.close()
        if moto:
            await asyncio.to_thread(moto.stop)


def _create_resources(storage: Storage) -> None:
    where = storage.endpoint_url or "AWS"
    try:
        storage.create_resources()
    except NoCredentialsError:
        raise StorageSetupError(
            f"no credentials for the storage at {where}: set AWS_ACCESS_KEY_ID and "
            "AWS_SECRET_ACCESS_KEY (any values for moto)"
        ) from None
    except (BotoCoreError, ClientError) as exc:
        raise StorageSetupError(f"cannot set up the storage at {where}: {exc}") from None


def _with_test_credentials(settings: StorageSettings) -> StorageSettings:
    return replace(settings, access_key_id="testing", secret_access_key="testing")
