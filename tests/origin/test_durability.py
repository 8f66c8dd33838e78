"""With --data-dir, everything written through the admin API survives a restart,
a kill -9 between writes included."""

from __future__ import annotations

import io
import signal

import requests
from PIL import Image

from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET
from tests.process import CdnsimProcess

AUTH = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}


def _jpeg(color: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), color).save(out, "JPEG", quality=95)
    return out.getvalue()


def _start(data_dir) -> CdnsimProcess:  # type: ignore[no-untyped-def]
    return CdnsimProcess(
        ["origin", "--port", "0", "--data-dir", str(data_dir), "--render-workers", "1"]
    )


def test_admin_writes_survive_kill_9_and_restart(tmp_path):
    origin = _start(tmp_path)
    try:
        base = origin.url
        config = {"width": 320, "height": 180, "label": "Thumb"}
        assert (
            requests.put(
                f"{base}/adminAPI/imageLocationConfig/thumb", json=config, headers=AUTH
            ).status_code
            == 200
        )
        assert requests.post(
            f"{base}/adminAPI/regions", json={"name": "nordic", "countries": ["NO"]}, headers=AUTH
        ).ok
        pack = requests.post(
            f"{base}/adminAPI/imagePacks", json={"assetId": "a1"}, headers=AUTH
        ).json()
        upload = requests.post(
            f"{base}/adminAPI/imagePack/{pack['id']}/main/upload",
            files={"file": ("a.jpg", _jpeg((250, 0, 0)), "image/jpeg")},
            headers=AUTH,
        )
        assert upload.status_code == 200, upload.text
        image_id = upload.json()["imageLocations"]["main"]["imageId"]
        crop = {
            "cropInfo": {"topLeftX": 0, "topLeftY": 0, "bottomRightX": 0.5, "bottomRightY": 0.5}
        }
        assert requests.put(
            f"{base}/adminAPI/imagePack/{pack['id']}/main", json=crop, headers=AUTH
        ).ok
    finally:
        # The last write was acknowledged; the process dies without any chance to flush.
        origin.kill(signal.SIGKILL)

    restarted = _start(tmp_path)
    try:
        base = restarted.url
        got = requests.get(f"{base}/adminAPI/imagePack/{pack['id']}", headers=AUTH).json()
        assert got["assetId"] == "a1"
        assert got["imageLocations"]["main"]["imageId"] == image_id
        assert got["imageLocations"]["main"]["cropInfo"]["bottomRightX"] == 0.5
        assert (
            requests.get(f"{base}/adminAPI/imageLocationConfig/thumb", headers=AUTH).json()["label"]
            == "Thumb"
        )
        assert requests.get(f"{base}/api/v2/regions/nordic").json()["countries"] == ["NO"]
        original = requests.get(f"{base}/adminAPI/image/{image_id}", headers=AUTH)
        assert original.status_code == 200
        assert Image.open(io.BytesIO(original.content)).getpixel((40, 30))[0] > 200
        served = requests.get(f"{base}/api/v2/img/{pack['id']}?location=thumb&skip-crop=true")
        assert served.status_code == 200
        assert Image.open(io.BytesIO(served.content)).size == (320, 180)
    finally:
        restarted.kill(signal.SIGTERM)


def test_without_data_dir_a_restart_starts_empty(tmp_path):
    origin = CdnsimProcess(["origin", "--port", "0", "--render-workers", "1"])
    try:
        pack = requests.post(f"{origin.url}/adminAPI/imagePacks", json={}, headers=AUTH).json()
    finally:
        origin.kill(signal.SIGKILL)
    fresh = CdnsimProcess(["origin", "--port", "0", "--render-workers", "1"])
    try:
        assert (
            requests.get(f"{fresh.url}/adminAPI/imagePack/{pack['id']}", headers=AUTH).status_code
            == 404
        )
    finally:
        fresh.kill(signal.SIGTERM)
