"""Loading originals: a web folder or web proxy over HTTP (only to configured hosts), an
S3 bucket through boto3 against the configured endpoint."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlsplit

import aiohttp
import boto3
from aiohttp import web
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from common.bodies import UpstreamBodyError, read_response

log = logging.getLogger(__name__)

MAX_ORIGINAL_BYTES = 32 * 1024 * 1024
_KEPT = ("cache-control", "expires", "date", "etag", "last-modified", "content-type")


@dataclass(frozen=True)
class Original:
    """What an origin answered: 200 with bytes, 404, or another failure (``status`` ≥ 400)."""

    status: int
    body: bytes = b""
    headers: tuple[tuple[str, str], ...] = ()
    reason: str = ""


class OriginGate:
    """HTTP and S3 access for the rendering service: hosts outside ``allowed_hosts`` are refused."""

    def __init__(
        self, allowed_hosts: Sequence[str], s3_endpoint: str | None, s3_region: str
    ) -> None:
        self.allowed_hosts = {h.lower() for h in allowed_hosts}
        self.s3_endpoint, self.s3_region = s3_endpoint, s3_region
        self.session: aiohttp.ClientSession | None = None
        self._clients: dict[tuple[str, str], Any] = {}

    async def open(self) -> None:
        timeout = aiohttp.ClientTimeout(total=30, connect=5)
        self.session = aiohttp.ClientSession(timeout=timeout, auto_decompress=True)

    async def close(self) -> None:
        if self.session is not None:
            await self.session.close()

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

    async def s3(self, deployment: Mapping[str, Any], key: str) -> Original:
        if self.s3_endpoint is None:
            return Original(502, reason="no S3 endpoint is configured")
        client = self.s3_client(deployment["s3_access_key"], deployment["s3_secret_key"])
        prefix = (deployment.get("s3_prefix") or "").strip("/")
        full_key = f"{prefix}/{key}" if prefix else key
        return await asyncio.to_thread(_get_object, client, deployment["s3_bucket"], full_key)

    def s3_client(self, access_key: str, secret_key: str) -> Any:
        cached = self._clients.get((access_key, secret_key))
        if cached is None:
            cached = boto3.client(
                "s3",
                endpoint_url=self.s3_endpoint,
                region_name=self.s3_region,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=Config(max_pool_connections=32, retries={"max_attempts": 2}),
            )
            self._clients[(access_key, secret_key)] = cached
        return cached


def _get_object(client: Any, bucket: str, key: str) -> Original:
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


@dataclass
class Located:
    """Where one image of a source lives: an HTTP URL or an S3 key (or why it cannot be read)."""

    url: str | None = None
    s3_key: str | None = None
    refused: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


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
    if kind == "s3":
        return Located(s3_key=unquote(path.lstrip("/")))
    return Located(refused=f"{kind} sources are accepted but not served by this simulator")


async def load(gate: OriginGate, deployment: Mapping[str, Any], path: str) -> Original:
    where = locate(deployment, path)
    if where.refused is not None:
        return Original(501, reason=where.refused)
    if where.url is not None:
        return await gate.http(where.url)
    assert where.s3_key is not None
    if not where.s3_key:
        return Original(404, reason="no image path")
    return await gate.s3(deployment, where.s3_key)


def serve_gate(app: web.Application, key: web.AppKey[OriginGate], gate: OriginGate) -> None:
    """``gate`` stored on ``app`` under ``key`` and open for the app's lifetime."""
    app[key] = gate

    async def gate_ctx(_: web.Application) -> AsyncIterator[None]:
        await gate.open()
        yield
        await gate.close()

    app.cleanup_ctx.append(gate_ctx)
