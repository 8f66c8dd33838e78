"""Helpers shared by the image-pack, pack-location and upload tests."""

from __future__ import annotations

from typing import Any

import aiohttp
from aiohttp.test_utils import TestClient

from origin.models.documents import Region
from origin.models.original_layout import original_key
from origin.storage import Storage

OTHER_TENANT = "acme"
OTHER_HOST = {"Host": f"{OTHER_TENANT}.image-service.dev.localhost"}


async def create_pack(
    client: TestClient, headers: dict[str, str], body: Any = None
) -> dict[str, Any]:
    response = await client.post("/adminAPI/imagePacks", json=body, headers=headers)
    assert response.status == 200, await response.text()
    return await response.json()


async def add_region(storage: Storage, tenant: str, name: str) -> None:
    """Regions are another helper's API; the region table is the contract we rely on."""
    await storage.put_item("regions", Region(name, countries=("NO",)).to_item(tenant))


def multipart(data: bytes, field: str = "file", filename: str = "image.png") -> aiohttp.FormData:
    form = aiohttp.FormData()
    form.add_field(field, data, filename=filename, content_type="application/octet-stream")
    return form


async def upload(
    client: TestClient,
    headers: dict[str, str],
    pack_id: str,
    location: str,
    data: bytes,
    *,
    region: str | None = None,
) -> aiohttp.ClientResponse:
    params = {"region": region} if region else {}
    return await client.post(
        f"/adminAPI/imagePack/{pack_id}/{location}/upload",
        data=multipart(data),
        headers=headers,
        params=params,
    )


async def stored_originals(storage: Storage, tenant: str = "") -> list[str]:
    return await storage.list_keys(
        storage.settings.originals_bucket, f"{tenant}/" if tenant else ""
    )


async def original_exists(storage: Storage, tenant: str, image_id: str) -> bool:
    blob = await storage.get_object(
        storage.settings.originals_bucket, original_key(tenant, image_id)
    )
    return blob is not None


async def assert_error(
    response: aiohttp.ClientResponse, status: int, code: str | None = None
) -> dict[str, Any]:
    """The response is the JSON error shape with ``status`` (and ``code`` when given)."""
    assert response.status == status, f"{response.method} {response.url}: {await response.text()}"
    body = await response.json()
    assert body["status"] == status and body["message"]
    if code is not None:
        assert body["code"] == code, body
    return body


async def start_origin(
    aiohttp_client: Any, settings: Any, clock: Any, events: Any, storage: Storage
) -> TestClient:
    """An origin with its own settings (limits, fetch allow-list) over the shared storage."""
    from common.ids import IdGenerator
    from origin.app import create_app

    app = create_app(settings, clock=clock, events=events, storage=storage, ids=IdGenerator(99))
    return await aiohttp_client(app)
