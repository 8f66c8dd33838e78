"""`cdnsim up` as a user runs it: one process, a ready file with every endpoint, the
demo tenant served through a POP, simulated time under control, a clean stop."""

from __future__ import annotations

import json
import signal

import requests

from tests.process import CdnsimProcess

KEYS = {
    "origin",
    "platform",
    "pops",
    "shield",
    "control",
    "tenant",
    "environment",
    "admin_token",
    "distribution_id",
    "storage",
}


def test_up_demo_writes_the_ready_file_serves_and_stops_cleanly(tmp_path):
    ready_file = tmp_path / "stack.json"
    up = CdnsimProcess(
        [
            "up",
            "--demo",
            "--clock",
            "manual",
            "--ready-file",
            str(ready_file),
            "--render-workers",
            "1",
        ]
    )
    try:
        ready = json.loads(ready_file.read_text())
        assert KEYS <= ready.keys()
        assert ready["process"]["pid"] == up.proc.pid  # readers tell a stale file by it
        assert [pop["id"] for pop in ready["pops"]] == ["pop-1", "pop-2", "pop-3"]
        storage = ready["storage"]
        assert storage["embedded"] and storage["endpoint"] == storage["dynamodb"]
        auth = {"Authorization": f"Bearer {ready['admin_token']}"}
        packs = requests.get(
            f"{ready['origin']}/adminAPI/imagePacks", headers=auth, timeout=10
        ).json()
        pack = packs["imagePackIds"][0]
        first = requests.get(
            f"{ready['pops'][0]['url']}/api/v2/img/{pack}?location=thumb", timeout=30
        )
        again = requests.get(
            f"{ready['pops'][0]['url']}/api/v2/img/{pack}?location=thumb", timeout=30
        )
        assert first.status_code == again.status_code == 200
        assert again.headers["X-Cache"].startswith("Hit")
        assert ready["platform"] != ready["origin"]  # the platform host has its own listener
        invalidated = requests.delete(
            f"{ready['platform']}/{ready['environment']}-lof/images/{ready['tenant']}/{pack}",
            headers=auth,
            timeout=30,
        )
        assert invalidated.status_code == 204
        clock = requests.post(
            f"{ready['control']}/_sim/clock/advance", json={"seconds": 300}, timeout=30
        ).json()
        assert clock["iso"] == "2026-01-01T00:05:00.000Z"
        bad = requests.post(
            f"{ready['control']}/_sim/clock/advance", json={"seconds": -1}, timeout=10
        )
        assert bad.status_code == 400 and bad.json()["field"] == "seconds"
    finally:
        code = up.kill(signal.SIGTERM)
    assert code == 0
    assert "cdnsim: stopped" in up.text()
    # The banner names the storage as the ready file does.
    assert f"storage  {storage['endpoint']}   (embedded moto; buckets cdnsim-originals" in up.text()
    assert not ready_file.exists()  # a stopped stack is not ready
