"""The stack's platform API on its own listener (the ready file's `platform`), at N+3 with
--port-base N, up while the origin is down; `cdnsim origin --platform-port` as a process."""

from __future__ import annotations

import json
import random
import signal
import socket

import aiohttp
import requests

from cdnsim.stack import PLATFORM_OFFSET, Stack, StackSettings
from common.clock import Clock
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET, OriginSettings
from tests.cdnsim.conftest import Running
from tests.process import CdnsimProcess

UNKNOWN = "/dev-lof/images/demo/" + "f" * 24


async def test_the_platform_listens_apart_and_stays_up_while_the_origin_is_down(
    running: Running,
):
    ready = running.stack.ready()
    assert ready["platform"] == running.stack.platform_url != ready["origin"]
    pack = (await running.admin_call("POST", "/adminAPI/imagePacks", json={}))["id"]
    delete = f"{ready['platform']}/dev-lof/images/demo/{pack}"
    async with running.http.delete(delete, headers=running.admin) as response:
        assert response.status == 204
    await running.stack.stop_origin_listening()
    try:
        async with running.http.get(ready["origin"] + "/api/ping") as response:
            raise AssertionError(f"the origin answered {response.status} while down")
    except aiohttp.ClientConnectionError:
        pass
    async with running.http.delete(delete, headers=running.admin) as response:
        assert response.status == 204  # the platform host is another service
    await running.stack.resume_origin_listening()
    async with running.http.get(ready["origin"] + "/api/ping") as response:
        assert response.status == 200


def _free_port_base(span: int = 13) -> int:
    """A base N whose ports N…N+span-1 are all free now (nothing else binds them here)."""
    for _ in range(200):
        base = random.randrange(20_000, 60_000)
        try:
            sockets = [socket.create_server(("127.0.0.1", base + i)) for i in range(span)]
        except OSError:
            continue
        for sock in sockets:
            sock.close()
        return base
    raise RuntimeError("no free block of ports")


async def test_port_base_puts_the_platform_at_n_plus_3(storage_settings):  # type: ignore[no-untyped-def]
    base = _free_port_base()
    settings = StackSettings(
        origin=OriginSettings(storage=storage_settings, render_workers=1),
        pops=1,
        shield=False,
        port_base=base,
        vendors={},
    )
    stack = Stack(settings, Clock.manual())
    await stack.start()
    try:
        await stack.wait_ready()
        ready = stack.ready()
        assert ready["origin"] == f"http://127.0.0.1:{base}"
        assert ready["platform"] == f"http://127.0.0.1:{base + PLATFORM_OFFSET}"
        assert ready["pops"][0]["url"] == f"http://127.0.0.1:{base + 10}"
    finally:
        await stack.stop()


def test_cdnsim_origin_serves_the_platform_on_its_own_port(tmp_path):  # type: ignore[no-untyped-def]
    ready_file = tmp_path / "origin.json"
    origin = CdnsimProcess(
        [
            "origin",
            "--port",
            "0",
            "--platform-port",
            "0",
            "--render-workers",
            "1",
            "--ready-file",
            str(ready_file),
        ]
    )
    try:
        platform = origin.next_url()
        assert platform is not None and platform != origin.url
        ready = json.loads(ready_file.read_text())
        assert (ready["origin"], ready["platform"]) == (origin.url, platform)
        auth = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}
        answer = requests.delete(platform + UNKNOWN, headers=auth, timeout=10)
        assert answer.status_code == 404 and "no image pack" in answer.json()["message"]
        assert requests.get(platform + "/api/ping", timeout=10).status_code == 404
        assert requests.get(origin.url + "/api/ping", timeout=10).text == "pong"
        answer = requests.delete(origin.url + UNKNOWN, headers=auth, timeout=10)
        assert answer.status_code == 404 and "no image pack" in answer.json()["message"]
    finally:
        assert origin.kill(signal.SIGTERM) == 0
    assert "platform API listening on" in origin.text()
