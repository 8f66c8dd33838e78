"""Cloud sources served and uploaded to for real: S3 (moto), GCS (the gcp-storage-emulator
child process) and Azure Blob (Azurite, when it is installed here); upload credentials
checked by a write to the bucket; both spellings of the upload route."""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import aiohttp
import boto3
import pytest

from tests.vendors.imgix.conftest import EDITOR, Stack, decoded, image_bytes, start_stack
from vendors.imgix.buckets import AzureContainer, GcsBucket
from vendors.imgix.emulators import (
    AZURITE_ACCOUNT,
    CACHE_DIR,
    Azurite,
    account_sas,
    missing_azurite_piece,
)

AZURITE_MISSING = missing_azurite_piece()
needs_azurite = pytest.mark.skipif(
    AZURITE_MISSING is not None, reason=f"{AZURITE_MISSING} (Azure tests skipped)"
)


def source_body(name: str, deployment: dict[str, Any], **extra: Any) -> dict[str, Any]:
    attributes = {"name": name, "deployment": {**deployment, "imgix_subdomains": [name]}, **extra}
    return {"data": {"type": "sources", "attributes": attributes}}


def credentials_patch(source_id: str, credentials: dict[str, str]) -> dict[str, Any]:
    return {
        "data": {
            "type": "sources",
            "id": source_id,
            "attributes": {"upload_credentials": credentials},
        }
    }


async def upload(
    stack: Stack, source_id: str, path: str, body: bytes, *, prose: bool = False
) -> tuple[int, dict[str, Any]]:
    route = f"/{path}" if prose else f"/upload/{path}"
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    async with stack.http.post(
        f"{stack.api}/api/v1/sources/{source_id}{route}", data=body, headers=headers
    ) as r:
        return r.status, json.loads(await r.text())


async def create(stack: Stack, body: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    status, doc = await stack.call("POST", "/api/v1/sources", body=body)
    if status == 201:
        await stack.clock.advance(stack.service.settings.deploy_seconds)
    return status, doc


# -- upload credentials and the upload routes (S3) -------------------------------------
S3 = {"type": "s3", "s3_bucket": "uploads", "s3_access_key": "r", "s3_secret_key": "r"}
S3_WRITER = {"type": "s3", "s3_access_key": "w", "s3_secret_key": "w"}


def s3_client(moto_server: Any) -> Any:
    return boto3.client(
        "s3",
        endpoint_url=moto_server.url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


async def test_upload_credentials_are_tried_on_the_bucket_before_they_are_taken(
    stack: Stack, moto_server: Any
) -> None:
    s3 = s3_client(moto_server)
    status, doc = await create(stack, source_body("nobucket", S3, upload_credentials=S3_WRITER))
    assert status == 400 and doc["errors"][0]["meta"]["rule"] == "credentials-refused"
    assert "NoSuchBucket" in doc["errors"][0]["detail"]
    s3.create_bucket(Bucket="uploads")
    status, doc = await create(
        stack, source_body("up", {**S3, "s3_prefix": "pre"}, upload_credentials=S3_WRITER)
    )
    assert status == 201 and doc["data"]["attributes"]["deployment"]["allows_upload"] is True
    source_id = doc["data"]["id"]
    probes = s3.list_objects_v2(Bucket="uploads").get("Contents", [])
    assert probes == []  # the probe object is deleted again
    # moving the source to a bucket its credentials cannot write to: kept, not allowed
    patch = {
        "data": {
            "type": "sources",
            "id": source_id,
            "attributes": {"deployment": {"s3_bucket": "gone-bucket"}},
        }
    }
    status, doc = await stack.call("PATCH", f"/api/v1/sources/{source_id}", body=patch)
    assert status == 200 and doc["data"]["attributes"]["deployment"]["allows_upload"] is False
    status, doc = await upload(stack, source_id, "a.png", image_bytes())
    assert status == 400 and doc["errors"][0]["meta"]["rule"] == "no-credentials"
    # new credentials for a bucket that is missing: refused, nothing changes
    status, doc = await stack.call(
        "PATCH", f"/api/v1/sources/{source_id}", body=credentials_patch(source_id, S3_WRITER)
    )
    assert status == 400 and doc["errors"][0]["meta"]["rule"] == "credentials-refused"


async def test_the_prose_upload_route_is_the_tables_upload(stack: Stack, moto_server: Any) -> None:
    s3 = s3_client(moto_server)
    s3.create_bucket(Bucket="uploads")
    status, doc = await create(stack, source_body("up", S3, upload_credentials=S3_WRITER))
    source_id = doc["data"]["id"]
    status, doc = await upload(
        stack, source_id, "marketing/logo.png", image_bytes((30, 20)), prose=True
    )
    assert status == 200, doc
    assert doc["data"]["id"] == f"{source_id}/marketing/logo.png"
    assert s3.get_object(Bucket="uploads", Key="marketing/logo.png")["ContentType"] == "image/png"
    status, doc = await upload(stack, source_id, "upload/x.png", image_bytes(), prose=False)
    assert status == 200 and doc["data"]["attributes"]["origin_path"] == "/upload/x.png"
    # the prose form leaves other routes' paths alone: one resource per URL
    status, doc = await upload(stack, source_id, "assets/x.png", image_bytes(), prose=True)
    assert status == 405
    status, doc = await upload(stack, source_id, "assets", image_bytes(), prose=True)
    assert status == 405
    status, doc = await upload(stack, source_id, "bad%0Ax.png", image_bytes(), prose=True)
    assert status == 400 and "control" in doc["errors"][0]["detail"]
    status, doc = await upload(stack, source_id, "x.png", b"<svg/>", prose=True)
    assert status == 400 and doc["errors"][0]["meta"]["rule"] == "not-an-image"


# -- GCS: the real emulator ------------------------------------------------------------
GCS = {"type": "gcs", "gcs_bucket": "gbucket", "gcs_access_key": "k", "gcs_secret_key": "s"}
GCS_WRITER = {"type": "gcs", "gcs_access_key": "wk", "gcs_secret_key": "ws"}


async def test_a_gcs_source_is_served_from_the_emulator_and_takes_uploads(stack: Stack) -> None:
    status, doc = await create(
        stack, source_body("gee", {**GCS, "gcs_prefix": "img"}, upload_credentials=GCS_WRITER)
    )
    assert status == 201 and doc["data"]["attributes"]["deployment"]["allows_upload"] is True
    source_id = doc["data"]["id"]
    status, doc = await upload(stack, source_id, "cat.png", image_bytes((200, 100)), prose=True)
    assert status == 200 and doc["data"]["attributes"]["media_width"] == 200
    status, body, _ = await stack.get("/cat.png?w=50", subdomain="gee")
    assert status == 200 and decoded(body).size == (50, 25)
    # what a customer writes to the bucket directly is served too
    endpoint = stack.service.ready()["gcs_endpoint"]
    async with aiohttp.ClientSession() as http:
        bucket = GcsBucket(http, endpoint, "gbucket")
        await bucket.put("img/dir/dog.png", image_bytes((40, 40), (0, 0, 255)), "image/png")
        stored = await bucket.get("img/cat.png")
    assert stored.status == 200 and decoded(stored.body).size == (200, 100)
    status, body, _ = await stack.get("/dir/dog.png?w=20", subdomain="gee")
    assert status == 200 and decoded(body).size == (20, 20)
    assert (await stack.get("/missing.png", subdomain="gee"))[0] == 404


async def test_the_gcs_emulator_ends_with_the_service(stack: Stack) -> None:
    await create(stack, source_body("gee", GCS))
    await stack.get("/x.png", subdomain="gee")  # first use starts it
    emulator = stack.service.gate.stores.gcs_emulator
    assert emulator is not None and emulator._child is not None and emulator._child.running
    pid = emulator._child.pid
    await stack.service.stop()
    assert pid is not None
    with pytest.raises(ProcessLookupError):
        os.kill(pid, 0)


# -- Azure: Azurite --------------------------------------------------------------------
def azure(sas: str) -> dict[str, str]:
    return {
        "type": "azure",
        "azure_account": AZURITE_ACCOUNT,
        "azure_bucket": "box",
        "azure_sas_string": sas,
        "azure_service_type": "blob",
    }


@needs_azurite
async def test_an_azure_source_is_served_from_azurite_with_its_sas_and_takes_uploads(
    stack: Stack,
) -> None:
    reader, writer = account_sas(permissions="rl"), account_sas(permissions="rwdlac")
    status, doc = await create(
        stack,
        source_body(
            "blue", azure(reader), upload_credentials={"type": "azure", "azure_sas_string": reader}
        ),
    )
    assert status == 400 and "403" in doc["errors"][0]["detail"]  # a read-only SAS cannot write
    status, doc = await create(
        stack,
        source_body(
            "blue", azure(reader), upload_credentials={"type": "azure", "azure_sas_string": writer}
        ),
    )
    assert status == 201 and doc["data"]["attributes"]["deployment"]["allows_upload"] is True
    source_id = doc["data"]["id"]
    status, doc = await upload(stack, source_id, "sky.png", image_bytes((60, 30), (0, 0, 200)))
    assert status == 200, doc
    status, body, _ = await stack.get("/sky.png?w=30", subdomain="blue")
    assert status == 200 and decoded(body).size == (30, 15)
    endpoint = stack.service.ready()["azure_endpoint"]
    async with aiohttp.ClientSession() as http:
        forged = AzureContainer(http, endpoint, AZURITE_ACCOUNT, "box", reader[:-4] + "AAA%3D")
        assert (await forged.get("sky.png")).status == 502  # Azurite checks the signature


@needs_azurite
async def test_a_bad_sas_is_an_origin_error_for_viewers(stack: Stack) -> None:
    await create(stack, source_body("bad", azure("sv=2020-08-04&sig=nope")))
    status, body, _ = await stack.get("/sky.png", subdomain="bad")
    assert status == 502 and b"403" in body


def test_without_node_or_azurite_the_message_names_the_missing_piece(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    empty = tmp_path / "bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    missing = missing_azurite_piece(tmp_path / "cache")
    assert missing is not None and "node is not installed" in missing
    node = shutil.which("node", path=os.environ.get("ORIGINAL_PATH", "/usr/bin:/usr/local/bin"))
    if node is not None:
        (empty / "node").symlink_to(node)
        missing = missing_azurite_piece(tmp_path / "cache")
        assert missing is not None and "Azurite" in missing and "npm install" in missing
    assert str(CACHE_DIR).endswith(".cache/azurite")


async def test_an_azure_source_says_what_is_missing_when_azurite_is_not_here(
    stack: Stack, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PATH", str(tmp_path))  # no node, no azurite-blob
    stores = stack.service.gate.stores
    monkeypatch.setattr(stores, "azurite", Azurite(cache=tmp_path / "cache"))
    await create(stack, source_body("blue", azure(account_sas())))
    status, body, _ = await stack.get("/sky.png", subdomain="blue")
    assert status == 502 and b"node is not installed" in body


async def test_emulators_started_with_the_service_are_in_the_ready_entry(
    clock: Any, events: Any, folder: Any, moto_server: Any
) -> None:
    service, edge = await start_stack(clock, events, folder, moto_server.url, start_emulators=True)
    try:
        ready = service.ready()
        assert ready["gcs_endpoint"].startswith("http://127.0.0.1:")
        if AZURITE_MISSING is None:
            assert ready["azure_endpoint"].startswith("http://127.0.0.1:")
            assert ready["azure_account"] == AZURITE_ACCOUNT and "sig=" in ready["azure_sas"]
    finally:
        await edge.stop()


async def test_a_reset_empties_the_emulators_and_keeps_their_urls(stack: Stack) -> None:
    status, doc = await create(stack, source_body("gee", GCS, upload_credentials=GCS_WRITER))
    assert status == 201, doc
    assert (await upload(stack, doc["data"]["id"], "cat.png", image_bytes()))[0] == 200
    if AZURITE_MISSING is None:
        sas = account_sas()
        body = source_body(
            "blue", azure(sas), upload_credentials={"type": "azure", "azure_sas_string": sas}
        )
        status, doc = await create(stack, body)
        assert status == 201, doc
        assert (await upload(stack, doc["data"]["id"], "sky.png", image_bytes()))[0] == 200
    before = stack.service.ready()
    await stack.service.reset()
    assert stack.service.ready() == before  # the same emulators, at the same URLs
    async with aiohttp.ClientSession() as http:
        gone = await GcsBucket(http, before["gcs_endpoint"], "gbucket").get("cat.png")
        assert gone.status == 404
        if AZURITE_MISSING is None:
            box = AzureContainer(http, before["azure_endpoint"], AZURITE_ACCOUNT, "box", sas)
            assert (await box.get("sky.png")).status == 404
