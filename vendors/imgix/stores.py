"""Where cloud sources live: S3 at the configured endpoint (the stack's moto by default),
GCS and Azure at configured endpoints or the embedded emulators
(:mod:`vendors.imgix.emulators`), started on first use.

With an embedded emulator the customer's bucket is ours to provide: a source's GCS bucket
or Azure container is created (empty) when the source needs it, as it would exist in
the customer's account. Reads and writes use the source's credentials where the store
checks them (Azure SAS strings: Azurite checks them; moto and the GCS emulator accept any
key).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import aiohttp
import boto3
from botocore.config import Config

from vendors.imgix.buckets import (
    AzureContainer,
    Bucket,
    BucketError,
    GcsBucket,
    S3Bucket,
    bucket_name,
    delete_containers,
)
from vendors.imgix.emulators import (
    AZURITE_ACCOUNT,
    Azurite,
    EmulatorMissing,
    GcsEmulator,
    account_sas,
)

SECRET_OF = {"s3": "s3_secret_key", "gcs": "gcs_secret_key", "azure": "azure_sas_string"}


class StoreUnavailable(Exception):
    """No store can be reached for a source (no endpoint, an emulator missing); ``reason``
    says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True)
class StoreEndpoints:
    s3: str | None = None
    s3_region: str = "us-east-1"
    gcs: str | None = None  # None: the embedded GCS emulator
    azure: str | None = None  # None: the embedded Azurite (path-style Blob endpoint)
    azurite_install: bool = False  # npm install Azurite on first use when it is missing


class CloudStores:
    def __init__(self, endpoints: StoreEndpoints) -> None:
        self.endpoints = endpoints
        self.gcs_emulator = GcsEmulator() if endpoints.gcs is None else None
        self.azurite = (
            Azurite(install=endpoints.azurite_install) if endpoints.azure is None else None
        )
        self._s3_clients: dict[tuple[str, str], Any] = {}
        self._prepared: set[tuple[str, str, str]] = set()

    def s3_client(self, access_key: str, secret_key: str) -> Any:
        cached = self._s3_clients.get((access_key, secret_key))
        if cached is None:
            cached = boto3.client(
                "s3",
                endpoint_url=self.endpoints.s3,
                region_name=self.endpoints.s3_region,
                aws_access_key_id=access_key,
                aws_secret_access_key=secret_key,
                config=Config(max_pool_connections=32, retries={"max_attempts": 2}),
            )
            self._s3_clients[(access_key, secret_key)] = cached
        return cached

    async def bucket(
        self,
        session: aiohttp.ClientSession,
        deployment: Mapping[str, Any],
        credentials: Mapping[str, str] | None = None,
    ) -> Bucket:
        """The source's bucket, with ``credentials`` (upload ones) or the deployment's."""
        kind = deployment["type"]
        given = credentials or deployment
        if kind == "s3":
            if self.endpoints.s3 is None:
                raise StoreUnavailable("no S3 endpoint is configured (--imgix-s3-endpoint)")
            client = self.s3_client(given["s3_access_key"], given["s3_secret_key"])
            return S3Bucket(client, bucket_name(deployment))
        if kind == "gcs":
            endpoint = await self._gcs_endpoint()
            bucket = GcsBucket(session, endpoint, bucket_name(deployment))
            if self.gcs_emulator is not None:
                await self._prepare(("gcs", endpoint, bucket.name), bucket.ensure)
            return bucket
        if kind == "azure":
            return await self._container(session, deployment, given["azure_sas_string"])
        raise StoreUnavailable(f"{kind} sources have no bucket")

    async def _gcs_endpoint(self) -> str:
        if self.endpoints.gcs is not None:
            return self.endpoints.gcs
        assert self.gcs_emulator is not None
        try:
            return await self.gcs_emulator.ensure()
        except RuntimeError as exc:
            raise StoreUnavailable(str(exc)) from None

    async def _container(
        self, session: aiohttp.ClientSession, deployment: Mapping[str, Any], sas: str
    ) -> AzureContainer:
        if deployment.get("azure_service_type") == "file":
            raise StoreUnavailable(
                "Azure Files (azure_service_type file) is not emulated: Azurite serves Blob storage"
            )
        account, name = str(deployment["azure_account"]), bucket_name(deployment)
        if self.azurite is None:
            assert self.endpoints.azure is not None
            return AzureContainer(session, self.endpoints.azure, account, name, sas)
        if account != AZURITE_ACCOUNT:
            raise StoreUnavailable(
                f"the Azure emulator serves the account {AZURITE_ACCOUNT!r} only, "
                f"not {account[:64]!r}"
            )
        try:
            endpoint = await self.azurite.ensure()
        except (EmulatorMissing, RuntimeError) as exc:
            raise StoreUnavailable(str(exc)) from None
        # The container is created with our own SAS: the source's may not allow it.
        admin = AzureContainer(session, endpoint, account, name, account_sas())
        await self._prepare(("azure", endpoint, name), admin.create)
        return AzureContainer(session, endpoint, account, name, sas)

    async def _prepare(self, key: tuple[str, str, str], make: Any) -> None:
        if key in self._prepared:
            return
        try:
            await make()
        except BucketError as exc:
            raise StoreUnavailable(f"cannot create the bucket in the emulator: {exc}") from None
        self._prepared.add(key)

    async def start_emulators(self) -> None:
        """Start the embedded emulators now (Azurite only when it is installed)."""
        if self.gcs_emulator is not None:
            await self.gcs_emulator.ensure()
        if self.azurite is not None and (self.endpoints.azurite_install or self.azurite.available):
            await self.azurite.ensure()

    def ready(self) -> dict[str, Any]:
        """What the ready file says about running emulators."""
        out: dict[str, Any] = {}
        gcs = self.endpoints.gcs or (self.gcs_emulator.url if self.gcs_emulator else "")
        if gcs:
            out["gcs_endpoint"] = gcs
        azure = self.endpoints.azure or (self.azurite.url if self.azurite else "")
        if azure:
            out["azure_endpoint"] = azure
            if self.azurite is not None:
                out["azure_account"], out["azure_sas"] = AZURITE_ACCOUNT, account_sas()
        return out

    async def wipe(self, session: aiohttp.ClientSession) -> None:
        """Every bucket and container of the running embedded emulators deleted."""
        self._prepared.clear()
        if self.gcs_emulator is not None and self.gcs_emulator.running:
            async with session.get(f"{self.gcs_emulator.url}/wipe") as reply:
                await reply.read()
        if self.azurite is not None and self.azurite.running:
            await delete_containers(session, self.azurite.url, AZURITE_ACCOUNT, account_sas())

    def stop(self) -> None:
        for emulator in (self.gcs_emulator, self.azurite):
            if emulator is not None:
                emulator.stop()
        self._prepared.clear()
