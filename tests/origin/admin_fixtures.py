"""Shared helpers for the admin API tests: tenant hosts, config writes, packs and variants
put straight into the real storage so that invalidation can be observed."""

from __future__ import annotations

from typing import Any

from aiohttp import ClientResponse
from aiohttp.test_utils import TestClient

from origin.models.documents import ImagePack
from origin.storage import Storage

DEMO2_HOST = {"Host": "demo2.image-service.dev.localhost"}
# The manual clock starts at 2026-01-01T00:00:00Z.
EPOCH_ISO = "2026-01-01T00:00:00.000Z"
PACK_A = "a" * 24
PACK_B = "b" * 24


async def put_config(
    client: TestClient,
    headers: dict[str, str],
    name: str,
    body: Any,
    *,
    force: str | None = None,
) -> ClientResponse:
    params = {"force": force} if force is not None else {}
    return await client.put(
        f"/adminAPI/imageLocationConfig/{name}", json=body, headers=headers, params=params
    )


async def put_all(
    client: TestClient, headers: dict[str, str], body: Any, *, force: str | None = None
) -> ClientResponse:
    params = {"force": force} if force is not None else {}
    return await client.put(
        "/adminAPI/imageLocationConfigs", json=body, headers=headers, params=params
    )


async def list_configs(client: TestClient, headers: dict[str, str]) -> list[dict[str, Any]]:
    response = await client.get("/adminAPI/imageLocationConfigs", headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def add_pack(storage: Storage, tenant: str, pack_id: str) -> None:
    await storage.put_item("packs", ImagePack(pack_id, tenant).to_item())


async def add_variants(storage: Storage, *keys: str) -> None:
    for key in keys:
        await storage.put_object(storage.settings.variants_bucket, key, b"variant", "image/jpeg")


async def variant_keys(storage: Storage) -> set[str]:
    return set(await storage.list_keys(storage.settings.variants_bucket, ""))


async def error_of(response: ClientResponse, status: int) -> dict[str, Any]:
    """The JSON error body, after checking the status and the shared error shape."""
    assert response.status == status, await response.text()
    body = await response.json()
    assert body["status"] == status and body["code"] and body["message"]
    return body
