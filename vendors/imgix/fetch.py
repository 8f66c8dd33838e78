"""Loading originals: a web folder or web proxy over HTTP (only to configured hosts), a
cloud source's bucket through :mod:`vendors.imgix.stores` (S3, GCS, Azure Blob)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp

from common.bodies import UpstreamBodyError, read_response
from vendors.imgix.buckets import CLOUD_TYPES, MAX_ORIGINAL_BYTES, Bucket, Original, object_key
from vendors.imgix.stores import CloudStores, StoreEndpoints, StoreUnavailable

log = logging.getLogger(__name__)

_KEPT = ("cache-control", "expires", "date", "etag", "last-modified", "content-type")
__all__ = ["MAX_ORIGINAL_BYTES", "OriginGate", "Original", "load"]


class OriginGate:
    """The rendering service's and the API's way out: HTTP to ``allowed_hosts`` only, and
    the cloud stores. Opened and closed by the imgix service, shared by its apps."""

    def __init__(self, allowed_hosts: Sequence[str], stores: CloudStores) -> None:
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.stores = stores
        self.session: aiohttp.ClientSession | None = None

    async def open(self) -> None:
        if self.session is None:
            timeout = aiohttp.ClientTimeout(total=30, connect=5)
            self.session = aiohttp.ClientSession(timeout=timeout, auto_decompress=True)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()
            self.session = None
        self.stores.stop()

    async def wipe(self) -> None:
        """Empty the embedded emulators (they keep running, at the same URLs)."""
        if self.session is not None:
            await self.stores.wipe(self.session)

    async def bucket(
        self, deployment: Mapping[str, Any], credentials: Mapping[str, str] | None = None
    ) -> Bucket:
        """The cloud source's bucket (StoreUnavailable when it cannot be reached)."""
        assert self.session is not None, "OriginGate not opened"
        return await self.stores.bucket(self.session, deployment, credentials)

    def allowed(self, url: str) -> bool:
        parts = urlsplit(url)
        return (
            parts.scheme in ("http", "https")
            and (parts.hostname or "").lower() in self.allowed_hosts
        )

    async def http(self, url: str) -> Original:
        if not self.allowed(url):
            return Original(
                403, reason=f"fetching from {urlsplit(url).hostname!r} is not configured"
            )
        assert self.session is not None, "OriginGate not opened"
        try:
            async with self.session.get(url, allow_redirects=False) as resp:
                body = await read_response(resp, MAX_ORIGINAL_BYTES)
                headers = tuple((k, v) for k, v in resp.headers.items() if k.lower() in _KEPT)
                if resp.status == 200:
                    return Original(200, body, headers)
                return Original(
                    404 if resp.status in (404, 410) else 502,
                    reason=f"origin answered {resp.status}",
                )
        except UpstreamBodyError as exc:
            return Original(502, reason=f"origin body refused: {exc}")
        except (TimeoutError, aiohttp.ClientError, ValueError) as exc:
            return Original(502, reason=f"origin unreachable: {type(exc).__name__}")


@dataclass
class Located:
    """Where one image of a source lives: an HTTP URL or a key of its bucket (or why it
    cannot be read)."""

    url: str | None = None
    key: str | None = None
    refused: str | None = None


def locate(deployment: Mapping[str, Any], path: str) -> Located:
    """``path`` (percent-encoded, with its leading '/') in the source's storage."""
    kind = deployment["type"]
    if kind == "webfolder":
        return Located(url=deployment["webfolder_base_url"].rstrip("/") + "/" + path.lstrip("/"))
    if kind == "webproxy":
        target = unquote(path.lstrip("/"))
        if not target.startswith(("http://", "https://")):
            return Located(refused="a web proxy path is an encoded absolute URL")
        return Located(url=target)
    if kind in CLOUD_TYPES:
        return Located(key=object_key(deployment, unquote(path)))
    return Located(refused=f"{kind} sources are not served")


async def load(gate: OriginGate, deployment: Mapping[str, Any], path: str) -> Original:
    where = locate(deployment, path)
    if where.refused is not None:
        return Original(404, reason=where.refused)
    if where.url is not None:
        return await gate.http(where.url)
    if not unquote(path).strip("/"):
        return Original(404, reason="no image path")
    assert where.key is not None
    try:
        bucket = await gate.bucket(deployment)
    except StoreUnavailable as exc:
        return Original(502, reason=exc.reason)
    return await bucket.get(where.key)


def store_endpoints(settings: Any) -> StoreEndpoints:
    """The cloud endpoints of an :class:`~vendors.imgix.backend.ImgixSettings`."""
    return StoreEndpoints(
        settings.s3_endpoint,
        settings.s3_region,
        settings.gcs_endpoint,
        settings.azure_endpoint,
        settings.azurite_install,
    )
