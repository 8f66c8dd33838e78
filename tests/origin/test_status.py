"""Status: ping, and a systems check that really asks S3 and DynamoDB."""

from __future__ import annotations

import socket

from common.ids import IdGenerator
from origin.app import create_app
from origin.storage import Storage, StorageSettings


async def test_ping_answers_pong(origin_client):
    response = await origin_client.get("/api/ping")
    assert response.status == 200
    assert response.content_type == "text/plain"
    assert await response.text() == "pong"


async def test_systems_check_reports_both_stores_ok(origin_client):
    response = await origin_client.get("/api/systemsCheck")
    assert response.status == 200
    body = await response.json()
    assert body["status"] == "ok"
    for service in ("s3", "dynamodb"):
        check = body["checks"][service]
        assert check["ok"] is True
        assert isinstance(check["latencyMs"], int | float) and check["latencyMs"] >= 0


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


async def test_systems_check_is_503_when_storage_is_down(
    aiohttp_client, origin_settings, clock, events
):
    settings = StorageSettings(
        endpoint_url=f"http://127.0.0.1:{closed_port()}",
        access_key_id="testing",
        secret_access_key="testing",
        create_resources=False,
    )
    down = Storage(settings, settings.endpoint_url)
    try:
        app = create_app(
            origin_settings, clock=clock, events=events, storage=down, ids=IdGenerator(1)
        )
        client = await aiohttp_client(app)
        response = await client.get("/api/systemsCheck")
        assert response.status == 503
        body = await response.json()
        assert body["status"] == "failing"
        for service in ("s3", "dynamodb"):
            assert body["checks"][service]["ok"] is False
            assert body["checks"][service]["error"]
        # Ping does not depend on storage.
        assert await (await client.get("/api/ping")).text() == "pong"
    finally:
        down.close()


async def test_admin_calls_answer_503_when_storage_is_down(
    aiohttp_client, origin_settings, admin_headers
):
    """Storage failing under a request is a clear 503 JSON error, never a 500 or a hang."""
    import socket
    from dataclasses import replace

    from origin.app import create_app
    from origin.storage import Storage

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        closed_port = probe.getsockname()[1]
    settings = replace(
        origin_settings.storage,
        endpoint_url=f"http://127.0.0.1:{closed_port}",
        create_resources=False,
    )
    storage = Storage(settings, settings.endpoint_url)
    client = await aiohttp_client(
        create_app(replace(origin_settings, storage=settings), storage=storage)
    )
    response = await client.get("/adminAPI/imageLocationConfigs", headers=admin_headers)
    assert response.status == 503
    assert (await response.json())["code"] == "storage_unavailable"
    storage.close()
