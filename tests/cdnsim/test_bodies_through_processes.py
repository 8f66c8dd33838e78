"""Bodies sent in 512-byte pieces to a real ``cdnsim up`` process, read back byte for byte:
a 2.5 MB original uploaded to the origin, and a 2.5 MB image uploaded to imgix (rendered
back through a POP and compared pixel for pixel)."""

from __future__ import annotations

import json
import signal
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.process import CdnsimProcess
from tests.vendors.imgix.conftest import decoded
from tests.wire import noise_image, send_in_pieces

UPLOAD = noise_image((920, 920), seed=5)  # a PNG of about 2.5 MB
BOUNDARY = "cdnsim-process-boundary"


@pytest.fixture(scope="module")
def ready(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
    ready_file = Path(tmp_path_factory.mktemp("up")) / "stack.json"
    up = CdnsimProcess(["up", "--demo", "--clock", "manual", "--ready-file", str(ready_file),
                        "--render-workers", "1"])  # fmt: skip
    try:
        yield json.loads(ready_file.read_text())
    finally:
        assert up.kill(signal.SIGTERM) == 0


async def test_an_origin_upload_in_512_byte_pieces_reads_back_byte_for_byte(
    ready: dict[str, Any],
):
    admin = {"Authorization": f"Bearer {ready['admin_token']}"}
    async with aiohttp.ClientSession(headers=admin) as http:
        async with http.get(ready["origin"] + "/adminAPI/imagePacks") as r:
            pack = (await r.json())["imagePackIds"][0]
        async with http.get(f"{ready['origin']}/adminAPI/imagePack/{pack}") as r:
            location = (await r.json())["mainImageLocation"]
        body = (
            (
                f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="a.png"\r\n'
                f"Content-Type: image/png\r\n\r\n"
            ).encode()
            + UPLOAD
            + f"\r\n--{BOUNDARY}--\r\n".encode()
        )
        headers = {**admin, "Content-Type": f"multipart/form-data; boundary={BOUNDARY}"}
        url = f"{ready['origin']}/adminAPI/imagePack/{pack}/{location}/upload"
        answer = await send_in_pieces(url, "POST", body, headers, pause_every=8)
        assert answer.status == 200, answer.body[:300]
        image_id = json.loads(answer.body)["imageLocations"][location]["imageId"]
        async with http.get(f"{ready['origin']}/adminAPI/image/{image_id}") as r:
            assert await r.read() == UPLOAD


async def test_an_imgix_upload_in_512_byte_pieces_renders_back_pixel_for_pixel(
    ready: dict[str, Any],
):
    imgix = ready["imgix"]
    auth = {"Authorization": f"Bearer {imgix['api_key']}"}
    credentials = {"type": "s3", "s3_access_key": "testing", "s3_secret_key": "testing"}
    patch = {"data": {"type": "sources", "id": imgix["source_id"],
                      "attributes": {"upload_credentials": credentials}}}  # fmt: skip
    async with aiohttp.ClientSession() as http:
        url = f"{imgix['api']}/api/v1/sources/{imgix['source_id']}"
        headers = {**auth, "Content-Type": "application/vnd.api+json"}
        async with http.patch(url, json=patch, headers=headers) as r:
            assert r.status == 200, await r.text()
        answer = await send_in_pieces(f"{url}/upload/big/pieces.png", "POST", UPLOAD,
                                      {**auth, "Content-Type": "image/png"}, pause_every=8)  # fmt: skip
        assert answer.status == 200, answer.body[:300]
        assert json.loads(answer.body)["data"]["attributes"]["file_size"] == len(UPLOAD)
        async with http.get(imgix["delivery"] + "/big/pieces.png?fm=png") as r:
            assert r.status == 200
            rendered = decoded(await r.read()).convert("RGB")
    assert rendered.tobytes() == decoded(UPLOAD).convert("RGB").tobytes()
