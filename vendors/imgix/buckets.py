"""The cloud storage a source reads and uploads to: an S3 bucket (boto3), a GCS bucket
(GCS's JSON API over HTTP), an Azure Blob container (Blob REST over HTTP with the source's
SAS). One small interface, :class:`Bucket`, so that the rendering service, uploads,
refreshes and the upload-credentials check do not care which.

Keys are the origin path below the source's prefix (``{type}_prefix``), as the seed says.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol
from urllib.parse import quote

import aiohttp
from botocore.exceptions import BotoCoreError, ClientError
from yarl import URL

from common.bodies import UpstreamBodyError, read_response

MAX_ORIGINAL_BYTES = 32 * 1024 * 1024
CLOUD_TYPES = ("s3", "gcs", "azure")
AZURE_VERSION = "2021-08-06"  # the Blob REST version we speak


@dataclass(frozen=True)
class Original:
    """What an origin answered: 200 with bytes, 404, or another failure (``status`` ≥ 400)."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reason: str = ""


class BucketError(Exception):
    """A write or delete the store refused (``status``: 403 refused, 404 no bucket, 502)."""

    def __init__(self, status: int, reason: str) -> None:
        super().__init__(reason)
        self.status, self.reason = status, reason


class Bucket(Protocol):
    async def get(self, key: str) -> Original: ...

    async def put(self, key: str, body: bytes, content_type: str) -> str:
        """Store ``body``; its ETag. BucketError when refused."""
        ...

    async def delete(self, key: str) -> None: ...


def object_key(deployment: Mapping[str, Any], path: str) -> str:
    """The key of ``path`` (decoded, with or without its leading '/') below the prefix."""
    prefix = (deployment.get(f"{deployment['type']}_prefix") or "").strip("/")
    key = path.lstrip("/")
    return f"{prefix}/{key}" if prefix else key


def bucket_name(deployment: Mapping[str, Any]) -> str:
    return str(deployment[f"{deployment['type']}_bucket"])


# -- S3 --------------------------------------------------------------------------------
class S3Bucket:
    def __init__(self, client: Any, name: str) -> None:
        self.client, self.name = client, name

    async def get(self, key: str) -> Original:
        return await asyncio.to_thread(_s3_get, self.client, self.name, key)

    async def put(self, key: str, body: bytes, content_type: str) -> str:
        def put() -> str:
            result = self.client.put_object(
                Bucket=self.name, Key=key, Body=body, ContentType=content_type
            )
            return str(result.get("ETag", ""))

        return await asyncio.to_thread(_s3_call, put)

    async def delete(self, key: str) -> None:
        await asyncio.to_thread(
            _s3_call, lambda: self.client.delete_object(Bucket=self.name, Key=key)
        )


def _s3_call(call: Any) -> Any:
    try:
        return call()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        status = 404 if code == "NoSuchBucket" else 403 if "Denied" in code else 502
        raise BucketError(status, f"s3: {code or 'error'}") from None
    except BotoCoreError as exc:
        raise BucketError(502, f"s3: {type(exc).__name__}") from None


def _s3_get(client: Any, bucket: str, key: str) -> Original:
    try:
        obj = client.get_object(Bucket=bucket, Key=key)
        if obj.get("ContentLength", 0) > MAX_ORIGINAL_BYTES:
            obj["Body"].close()
            return Original(502, reason="original larger than 32 MiB")
        # botocore's read() reads to the end and checks the length S3 declared.
        body = obj["Body"].read()
    except ClientError as exc:
        code = exc.response.get("Error", {}).get("Code", "")
        if code in ("NoSuchKey", "404", "NoSuchBucket"):
            return Original(404, reason=f"s3: {code}")
        return Original(502, reason=f"s3: {code}")
    except BotoCoreError as exc:
        return Original(502, reason=f"s3: {type(exc).__name__}")
    headers = [("ETag", obj.get("ETag", "")), ("Content-Type", obj.get("ContentType", ""))]
    if obj.get("CacheControl"):
        headers.append(("Cache-Control", obj["CacheControl"]))
    return Original(200, body, tuple(headers))


# -- HTTP stores (GCS, Azure) ----------------------------------------------------------
_KEPT = ("cache-control", "etag", "last-modified", "content-type")


async def _http_get(session: aiohttp.ClientSession, url: str, what: str, **kw: Any) -> Original:
    try:
        async with session.get(URL(url, encoded=True), allow_redirects=False, **kw) as resp:
            body = await read_response(resp, MAX_ORIGINAL_BYTES)
            if resp.status == 200:
                headers = tuple((k, v) for k, v in resp.headers.items() if k.lower() in _KEPT)
                return Original(200, body, headers)
            if resp.status == 404:
                return Original(404, reason=f"{what}: not found")
            return Original(502, reason=f"{what}: answered {resp.status}")
    except UpstreamBodyError as exc:
        return Original(502, reason=f"{what}: body refused: {exc}")
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        return Original(502, reason=f"{what}: unreachable: {type(exc).__name__}")


async def _http_write(
    session: aiohttp.ClientSession, method: str, url: str, what: str, **kw: Any
) -> str:
    """Send a write; the ETag the store answered ("" if none)."""
    try:
        target = URL(url, encoded=True)
        async with session.request(method, target, allow_redirects=False, **kw) as resp:
            await resp.read()
            if resp.status < 300:
                return resp.headers.get("ETag", "")
            status = 404 if resp.status == 404 else 403 if resp.status in (401, 403) else 502
            raise BucketError(status, f"{what}: answered {resp.status}")
    except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
        raise BucketError(502, f"{what}: unreachable: {type(exc).__name__}") from None


class GcsBucket:
    """A bucket behind GCS's JSON API (the embedded gcp-storage-emulator, or any
    endpoint that speaks it). The emulator checks no credentials."""

    def __init__(self, session: aiohttp.ClientSession, endpoint: str, name: str) -> None:
        self.session, self.endpoint, self.name = session, endpoint.rstrip("/"), name

    def _object(self, key: str) -> str:
        return f"{self.endpoint}/storage/v1/b/{quote(self.name, safe='')}/o/{quote(key, safe='')}"

    async def get(self, key: str) -> Original:
        return await _http_get(self.session, self._object(key), "gcs", params={"alt": "media"})

    async def put(self, key: str, body: bytes, content_type: str) -> str:
        url = f"{self.endpoint}/upload/storage/v1/b/{quote(self.name, safe='')}/o"
        return await _http_write(
            self.session,
            "POST",
            url,
            "gcs",
            params={"uploadType": "media", "name": key},
            data=body,
            headers={"Content-Type": content_type},
        )

    async def delete(self, key: str) -> None:
        await _http_write(self.session, "DELETE", self._object(key), "gcs")

    async def ensure(self) -> None:
        """Create the bucket if it does not exist (the embedded emulator only)."""
        url = f"{self.endpoint}/storage/v1/b/{quote(self.name, safe='')}"
        async with self.session.get(URL(url, encoded=True)) as resp:
            if resp.status == 200:
                return
        await _http_write(
            self.session, "POST", f"{self.endpoint}/storage/v1/b", "gcs", json={"name": self.name}
        )


class AzureContainer:
    """A Blob container, addressed path-style (``{endpoint}/{account}/{container}/{blob}``,
    as Azurite serves it) and authorised by the source's SAS, which the store checks."""

    def __init__(
        self, session: aiohttp.ClientSession, endpoint: str, account: str, name: str, sas: str
    ) -> None:
        self.session = session
        self.base = f"{endpoint.rstrip('/')}/{quote(account, safe='')}/{quote(name, safe='')}"
        self.sas = sas.lstrip("?")

    def _blob(self, key: str) -> str:
        return f"{self.base}/{quote(key, safe='/')}?{self.sas}"

    async def get(self, key: str) -> Original:
        return await _http_get(
            self.session, self._blob(key), "azure", headers={"x-ms-version": AZURE_VERSION}
        )

    async def put(self, key: str, body: bytes, content_type: str) -> str:
        headers = {
            "x-ms-version": AZURE_VERSION,
            "x-ms-blob-type": "BlockBlob",
            "Content-Type": content_type,
        }
        return await _http_write(
            self.session, "PUT", self._blob(key), "azure", data=body, headers=headers
        )

    async def delete(self, key: str) -> None:
        await _http_write(
            self.session,
            "DELETE",
            self._blob(key),
            "azure",
            headers={"x-ms-version": AZURE_VERSION},
        )

    async def create(self) -> None:
        """Create the container (409: it exists) with this SAS (the embedded Azurite)."""
        url = f"{self.base}?restype=container&{self.sas}"
        try:
            await _http_write(
                self.session, "PUT", url, "azure", headers={"x-ms-version": AZURE_VERSION}
            )
        except BucketError as exc:
            if "answered 409" not in exc.reason:
                raise


async def delete_containers(
    session: aiohttp.ClientSession, endpoint: str, account: str, sas: str
) -> None:
    """Delete every container of ``account`` (the embedded Azurite's reset)."""
    base = f"{endpoint.rstrip('/')}/{quote(account, safe='')}"
    listing = URL(f"{base}?comp=list&{sas}", encoded=True)
    async with session.get(listing, headers={"x-ms-version": AZURE_VERSION}) as reply:
        names = re.findall(r"<Name>([^<]+)</Name>", await reply.text())
    for name in names:
        url = f"{base}/{quote(name, safe='')}?restype=container&{sas}"
        await _http_write(session, "DELETE", url, "azure", headers={"x-ms-version": AZURE_VERSION})


PROBE_PREFIX = ".cdnsim-upload-check-"


async def try_write(bucket: Bucket, deployment: Mapping[str, Any], token: str) -> None:
    """Write a small probe object below the source's prefix and delete it: whether
    upload credentials can write to the bucket (BucketError, saying why, when not)."""
    key = object_key(deployment, PROBE_PREFIX + token)
    # Not empty: an empty PUT never gets an answer from moto behind waitress.
    await bucket.put(key, b"cdnsim upload check", "text/plain")
    await bucket.delete(key)
