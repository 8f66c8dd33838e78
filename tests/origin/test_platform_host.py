"""The platform invalidation API on a listener of its own (seed 000: the manage.api host),
with routing by Host, and today's path on the origin's port still working."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from dataclasses import dataclass, replace

import aiohttp
import pytest

from common.ids import IdGenerator
from common.serving import serve
from origin.app import create_app
from tests.conftest import png_bytes

PLATFORM_HOST = "manage.api.dev.localhost"
IMAGE_HOST = "demo.image-service.dev.localhost"


@dataclass
class TwoListeners:
    origin: str
    platform: str
    http: aiohttp.ClientSession
    admin: dict[str, str]

    async def call(self, method: str, url: str, *, host: str | None = None, auth: bool = True):  # type: ignore[no-untyped-def]
        headers = {**(self.admin if auth else {}), **({"Host": host} if host else {})}
        async with self.http.request(method, url, headers=headers) as response:
            body = await response.json() if response.content_type == "application/json" else None
            return response.status, body, response.headers

    async def pack_with_image(self) -> str:
        async with self.http.post(
            f"{self.origin}/adminAPI/imagePacks", json={}, headers=self.admin
        ) as response:
            pack = (await response.json())["id"]
        form = aiohttp.FormData()
        form.add_field("file", png_bytes(), filename="a.png", content_type="image/png")
        url = f"{self.origin}/adminAPI/imagePack/{pack}/main/upload"
        async with self.http.post(url, data=form, headers=self.admin) as response:
            assert response.status == 200, await response.text()
        return str(pack)


@pytest.fixture
async def listeners(
    origin_settings, storage, clock, events, admin_headers
) -> AsyncIterator[TwoListeners]:  # type: ignore[no-untyped-def]
    """The origin app on two sockets, as the stack and `cdnsim origin --platform-port` run it."""
    origin_sock = socket.create_server(("127.0.0.1", 0))
    platform_sock = socket.create_server(("127.0.0.1", 0))
    settings = replace(origin_settings, platform_port=platform_sock.getsockname()[1])
    app = create_app(settings, clock=clock, events=events, storage=storage, ids=IdGenerator(1))
    served = await serve(app, sock=origin_sock)
    platform_url = await served.add_listener(platform_sock)
    async with aiohttp.ClientSession() as http:
        yield TwoListeners(served.url, platform_url, http, admin_headers)
    await served.close()


def _delete_path(pack: str, tenant: str = "demo") -> str:
    return f"/dev-lof/images/{tenant}/{pack}"


async def test_the_platform_listener_invalidates_a_pack(listeners: TwoListeners):
    pack = await listeners.pack_with_image()
    url = listeners.platform + _delete_path(pack)
    assert listeners.platform != listeners.origin
    assert (await listeners.call("DELETE", url))[0] == 204
    assert (await listeners.call("DELETE", url, host=f"{PLATFORM_HOST}:443"))[0] == 204
    status, body, headers = await listeners.call("DELETE", url, auth=False)
    assert status == 401 and "WWW-Authenticate" in headers
    status, body, _ = await listeners.call("DELETE", listeners.platform + _delete_path("0" * 24))
    assert status == 404 and body["code"] == "not_found"


async def test_todays_path_on_the_origin_keeps_working(listeners: TwoListeners):
    pack = await listeners.pack_with_image()
    url = listeners.origin + _delete_path(pack)
    assert (await listeners.call("DELETE", url))[0] == 204
    assert (await listeners.call("DELETE", url, host=IMAGE_HOST))[0] == 204
    assert (await listeners.call("DELETE", url, host=PLATFORM_HOST))[0] == 204


async def test_the_platform_listener_serves_nothing_else(listeners: TwoListeners):
    pack = await listeners.pack_with_image()
    for path in ("/api/ping", f"/api/v2/img/{pack}", "/adminAPI/imagePacks", "/openapi.json"):
        status, body, _ = await listeners.call("GET", listeners.platform + path)
        assert status == 404 and body["code"] == "not_found", path
        assert "DELETE /dev-lof/images/{tenant}/{imagePackId}" in body["message"]
    status, _, headers = await listeners.call("GET", listeners.platform + _delete_path(pack))
    assert status == 405 and headers["Allow"] == "DELETE"


async def test_an_image_service_host_on_the_platform_listener_is_misdirected(
    listeners: TwoListeners,
):
    pack = await listeners.pack_with_image()
    for path in (f"/api/v2/img/{pack}", _delete_path(pack)):
        status, body, _ = await listeners.call("GET", listeners.platform + path, host=IMAGE_HOST)
        assert status == 421 and body["code"] == "misdirected_request", path


async def test_the_platform_host_on_the_origin_listener_is_routed_to_the_platform(
    listeners: TwoListeners,
):
    pack = await listeners.pack_with_image()
    status, body, _ = await listeners.call(
        "GET", f"{listeners.origin}/api/v2/img/{pack}", host=PLATFORM_HOST
    )
    assert status == 404 and "platform host" in body["message"]
    async with listeners.http.get(f"{listeners.origin}/api/v2/img/{pack}") as response:
        assert response.status == 200  # any other host: the image service, as always
