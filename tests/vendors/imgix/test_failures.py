"""What fails fails cleanly: storage this simulator cannot reach, a refresh whose
origin fails, and fallback images (``image_error``) that cannot be had."""

from __future__ import annotations

import json
import socket
from typing import Any

from tests.vendors.imgix.conftest import EDITOR, Stack, image_bytes

GCS = {"type": "gcs", "gcs_bucket": "b-1", "gcs_access_key": "k", "gcs_secret_key": "s"}
AZURE = {
    "type": "azure",
    "azure_account": "acc",
    "azure_bucket": "box",
    "azure_sas_string": "sig",
    "azure_service_type": "blob",
}
CREDENTIALS = {
    "gcs": {"type": "gcs", "gcs_access_key": "k", "gcs_secret_key": "s"},
    "azure": {"type": "azure", "azure_sas_string": "sig"},
}


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def test_storage_that_cannot_be_reached_refuses_credentials_and_uploads(
    stack: Stack,
) -> None:
    """An Azure account the emulator does not serve (or, with no Azurite here, any): the
    upload credentials are refused (400, saying why), so uploads are too, and nothing is
    written or purged."""
    body = {
        "data": {
            "type": "sources",
            "attributes": {
                "name": "azure",
                "deployment": {**AZURE, "imgix_subdomains": ["azure"]},
                "upload_credentials": CREDENTIALS["azure"],
            },
        }
    }
    status, doc = await stack.call("POST", "/api/v1/sources", body=body)
    error = doc["errors"][0]
    assert status == 400 and error["meta"]["rule"] == "credentials-refused", doc
    assert "cannot write" in error["detail"] and "acc" in error["detail"]
    assert (await stack.call("GET", "/api/v1/sources"))[1]["data"] == []  # nothing created
    del body["data"]["attributes"]["upload_credentials"]
    status, doc = await stack.call("POST", "/api/v1/sources", body=body)
    assert status == 201, doc
    source_id = doc["data"]["id"]
    assert doc["data"]["attributes"]["deployment"]["allows_upload"] is False
    headers = {"Authorization": f"Bearer {EDITOR}", "Content-Type": "image/png"}
    async with stack.http.post(
        f"{stack.api}/api/v1/sources/{source_id}/upload/a.png", data=image_bytes(), headers=headers
    ) as r:
        assert r.status == 400 and r.content_type == "application/vnd.api+json"
        error = json.loads(await r.text())["errors"][0]
    assert error["meta"]["rule"] == "no-credentials", error
    status, doc = await stack.call("GET", f"/api/v1/sources/{source_id}/assets", key=EDITOR)
    assert status == 200 and doc["data"] == []
    await stack.clock.advance(30)
    status, body_bytes, _ = await stack.get("/a.png", subdomain="azure")
    assert status == 502 and b"acc" in body_bytes  # the reason reaches the viewer
    assert stack.events.read(kinds=["invalidation_created"]) == []  # nothing was purged either


async def test_a_refresh_whose_origin_fails_says_so_and_changes_nothing(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((40, 20)))
    source_id = await stack.create_source()
    assert (await stack.get("/cat.png?w=5"))[0] == 200
    path = f"/api/v1/sources/{source_id}/assets/cat.png"
    _, before = await stack.call("GET", path)
    await stack.clock.advance(60)
    stack.folder.put("/images/cat.png", image_bytes((80, 20)))
    stack.folder.failing.add("/images/cat.png")
    status, doc = await stack.call(
        "POST", f"/api/v1/sources/{source_id}/assets/refresh/cat.png", key=EDITOR, body={}
    )
    assert status == 502 and doc["errors"][0]["title"] == "OriginError"
    assert "500" in doc["errors"][0]["detail"]
    stack.folder.failing.clear()
    del stack.folder.files["/images/cat.png"]
    status, doc = await stack.call(
        "POST", f"/api/v1/sources/{source_id}/assets/refresh/cat.png", key=EDITOR, body={}
    )
    assert status == 404 and doc["errors"][0]["title"] == "OriginError"
    _, after = await stack.call("GET", path)
    assert after["data"] == before["data"]  # same measurements, same date_modified
    _, _, headers = await stack.get("/cat.png?w=5")
    assert "hit" in headers["Cache-Status"].split(",")[-1]  # and nothing was purged
    assert stack.events.read(kinds=["invalidation_created"]) == []


async def test_an_image_error_fallback_that_cannot_be_had_leaves_the_plain_error(
    stack: Stack,
) -> None:
    """Decided: the viewer gets the error the origin caused (502, JSON), cached for the
    source's ``cache_ttl_error`` like any error, whether the fallback is unreachable, on a
    host this simulator may not fetch from, or not an image."""
    stack.folder.put("/images/down.png", image_bytes())
    stack.folder.failing.add("/images/down.png")
    stack.folder.put("/fallback/not-an-image.png", b"<html>nope</html>")
    fallbacks: list[str] = [
        f"http://127.0.0.1:{closed_port()}/error.png",
        "https://images.example.com/error.png",
        f"{stack.folder.url}/fallback/not-an-image.png",
        f"{stack.folder.url}/fallback/absent.png",
    ]
    for n, fallback in enumerate(fallbacks):
        await stack.create_source(f"s{n}", f"s{n}", image_error=fallback, cache_ttl_error=60)
        status, body, headers = await stack.get("/down.png?w=10", subdomain=f"s{n}")
        assert status == 502 and headers["Content-Type"].startswith("application/json"), fallback
        error: dict[str, Any] = json.loads(body)
        assert error["status"] == 502 and "X-Imgix-Fallback" not in headers
        assert "max-age=60" in headers["Cache-Control"]
        _, _, again = await stack.get("/down.png?w=10", subdomain=f"s{n}")
        assert "hit" in again["Cache-Status"].split(",")[-1]
    await stack.clock.advance(61)
    _, _, later = await stack.get("/down.png?w=10", subdomain="s0")
    assert "hit" not in later["Cache-Status"].split(",")[-1]
