"""``cdnsim origin --workers 2``: two processes on one port, one storage, and still exact:
no render uses a config, crop or original older than the write before it, whichever
worker wrote, and a variant stored by one worker is a hit in the other. The workers end
with their parent, even when it is killed."""

from __future__ import annotations

import io
import json
import os
import select
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import aiohttp
import pytest
from PIL import Image

from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET
from tests.origin.serving.test_memo_exact import (
    QUADRANTS,
    crop_body,
    quadrant_colour,
    quadrant_image,
)

ROOT = Path(__file__).resolve().parents[2]
READS = 6  # per round, each on a new connection: the kernel spreads them over both workers


@pytest.fixture
def origin() -> Iterator[tuple[subprocess.Popen[str], str]]:
    command = [sys.executable, "-m", "cdnsim.cli", "origin", "--port", "0", "--workers", "2"]
    process = subprocess.Popen(
        [*command, "--render-workers", "1"], stdout=subprocess.PIPE, text=True, cwd=ROOT
    )
    assert process.stdout is not None
    line = process.stdout.readline()
    assert "2 workers" in line, line
    yield process, line.split("listening on ")[1].split()[0]
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        process.wait(timeout=60)


def worker_pids(parent: int) -> list[int]:
    """The spawned origin worker (render workers and moto are started differently)."""
    found = []
    for task in Path(f"/proc/{parent}/task").glob("*"):
        for child in (task / "children").read_text().split():
            if b"spawn_main" in Path(f"/proc/{child}/cmdline").read_bytes():
                found.append(int(child))
    return found


async def test_two_workers_stay_exact_and_share_stored_variants(origin) -> None:  # type: ignore[no-untyped-def]
    process, url = origin
    headers = {"Authorization": f"Bearer {make_token(DEV_JWT_SECRET, '*')}"}
    # A new connection per request: writes and reads land on either worker.
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(base_url=url, connector=connector) as http:

        async def call(method: str, path: str, **kwargs) -> dict:  # type: ignore[no-untyped-def, type-arg]
            async with http.request(method, path, headers=headers, **kwargs) as response:
                assert response.status == 200, await response.text()
                return await response.json()  # type: ignore[no-any-return]

        await call(
            "PUT",
            "/adminAPI/imageLocationConfig/main",
            json={"name": "main", "width": 40, "height": 40},
        )
        pack = (await call("POST", "/adminAPI/imagePacks"))["id"]
        for round_ in range(6):
            width, quadrant = 41 + round_, QUADRANTS[round_ % 4]
            body = {"name": "main", "width": width, "height": 40}
            await call("PUT", "/adminAPI/imageLocationConfig/main?force=true", json=body)
            await call("PUT", f"/adminAPI/imagePack/{pack}/main", json=crop_body(quadrant))
            form = aiohttp.FormData()
            form.add_field("file", quadrant_image(round_), filename="x.png")
            await call("POST", f"/adminAPI/imagePack/{pack}/main/upload", data=form)
            caches = []
            for _ in range(READS):
                async with http.get(f"/api/v2/img/{pack}?location=main") as response:
                    assert response.status == 200, await response.text()
                    caches.append(response.headers["X-Variant-Cache"])
                    image = Image.open(io.BytesIO(await response.read())).convert("RGB")
                assert image.width == width
                colour = image.getpixel((image.width // 2, image.height // 2))
                expected = quadrant_colour(round_, quadrant)
                assert max(abs(a - b) for a, b in zip(colour, expected, strict=True)) <= 12
            assert caches == ["miss"] + ["hit"] * (READS - 1), caches
    assert len(worker_pids(process.pid)) == 1


def test_workers_exit_when_their_parent_is_killed(origin) -> None:  # type: ignore[no-untyped-def]
    process, _ = origin
    (worker,) = worker_pids(process.pid)
    exited = os.pidfd_open(worker)
    try:
        process.kill()
        process.wait()
        readable, _, _ = select.select([exited], [], [], 60)
    finally:
        os.close(exited)
    assert readable, "an origin worker outlived its killed parent"


def test_a_manual_clock_cannot_span_workers() -> None:
    command = [sys.executable, "-m", "cdnsim.cli", "origin", "--workers", "2", "--clock", "manual"]
    done = subprocess.run(
        command, capture_output=True, text=True, cwd=ROOT, timeout=60, check=False
    )
    assert done.returncode == 2 and "manual clock" in done.stderr


@pytest.fixture
def stack_process(tmp_path: Path) -> Iterator[tuple[subprocess.Popen[str], str]]:
    ready = tmp_path / "stack.json"
    command = [sys.executable, "-m", "cdnsim.cli", "up", "--origin-workers", "2", "--pops", "1"]
    command += ["--no-shield", "--render-workers", "1", "--ready-file", str(ready)]
    command += ["--workers", "1"]  # the POP in one process: the only spawned child is the origin's
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    try:
        assert process.stdout is not None
        assert process.stdout.readline().startswith("cdnsim up")  # printed once ready
        yield process, json.loads(ready.read_text())["origin"]
    finally:
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=60) == 0


async def test_the_stack_serves_its_origin_from_several_workers(stack_process) -> None:  # type: ignore[no-untyped-def]
    process, origin_url = stack_process
    assert len(worker_pids(process.pid)) == 1
    connector = aiohttp.TCPConnector(force_close=True)
    async with aiohttp.ClientSession(connector=connector) as http:
        for _ in range(6):
            async with http.get(f"{origin_url}/api/ping") as response:
                assert response.status == 200
