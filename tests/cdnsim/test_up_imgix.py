"""`cdnsim up --demo` configures one imgix source: the ready file's keys work as documented,
and the imgix flags reach the running service."""

from __future__ import annotations

import io
import json
import signal

import requests
from PIL import Image

from tests.process import CdnsimProcess


def test_up_demo_serves_and_purges_the_imgix_demo_source(tmp_path):
    ready_file = tmp_path / "stack.json"
    purger = "purger0123456789purger"
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
            "--imgix-api-key",
            f"{purger}:Purge",
            "--imgix-purge-window",
            "0",
        ]
    )
    try:
        imgix = json.loads(ready_file.read_text())["imgix"]
        assert {"api", "api_key", "restricted_key", "source_id", "delivery"} <= imgix.keys()
        url = f"{imgix['delivery']}{imgix['sample_path']}?w=160&fm=png"
        first = requests.get(url, timeout=30)
        assert first.status_code == 200 and Image.open(io.BytesIO(first.content)).size[0] == 160
        assert "hit" in requests.get(url, timeout=30).headers["Cache-Status"]
        restricted = {
            "Authorization": f"Bearer {imgix['restricted_key']}",
            "Content-Type": "application/vnd.api+json",
        }
        source = requests.get(
            f"{imgix['api']}/api/v1/sources/{imgix['source_id']}", headers=restricted, timeout=10
        )
        assert source.json()["data"]["attributes"]["deployment_status"] == "deployed"
        purge = {
            "data": {
                "type": "purges",
                "attributes": {"url": f"https://demo.imgix.net{imgix['sample_path']}"},
            }
        }
        refused = requests.post(
            f"{imgix['api']}/api/v1/purge", json=purge, headers=restricted, timeout=10
        )
        assert refused.status_code == 403
        admin = {**restricted, "Authorization": f"Bearer {imgix['api_key']}"}
        assert (
            requests.post(
                f"{imgix['api']}/api/v1/purge", json=purge, headers=admin, timeout=10
            ).status_code
            == 200
        )
        # --imgix-api-key: a key of our own, with only Purge; --imgix-purge-window 0: no 409
        mine = {**restricted, "Authorization": f"Bearer {purger}"}
        assert (
            requests.post(
                f"{imgix['api']}/api/v1/purge", json=purge, headers=mine, timeout=10
            ).status_code
            == 200
        )
        assert (
            requests.get(f"{imgix['api']}/api/v1/sources", headers=mine, timeout=10).status_code
            == 403
        )
    finally:
        assert up.kill(signal.SIGTERM) == 0
