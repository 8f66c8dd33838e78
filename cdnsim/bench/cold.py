"""``cdnsim bench cold``: cold renders through HTTP, the whole serving path on every request.

A real ``cdnsim origin`` process (render pool on every core) gets ``--packs`` image packs,
each with its own copy of the 1920×1080 photo of ``bench render``. Then ``--connections``
clients ask each pack once for ``location=main`` (600×338 JPEG q85): every request reads the
pack and the location config from DynamoDB, misses the S3 variant cache, reads the original
from S3, renders in the pool and stores the variant, as a first viewer would. Every answer
must say ``X-Variant-Cache: miss``, so nothing is served from a cache.

Figures: cold renders/s, p50/p95 latency, and the CPU time per request of each process: the
origin's event loop, its render workers and its embedded moto server (``--endpoint-url``
points the origin at other storage instead, which is then not counted).

The issue's reference: thumbor 7.8 serves this operation at 126/s with two processes on the
same machine, without any storage on its path; the target is 1.2× that.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from cdnsim.bench.hit import cpu_seconds
from cdnsim.bench.render import synthetic_photo
from cdnsim.usage import at_least, http_url
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET

THUMBOR_PER_S = 126.0
TARGET_PER_S = 1.2 * THUMBOR_PER_S
LOCATION = {"name": "main", "label": "Main", "width": 600, "height": 338}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--requests", type=at_least(1), default=400, help="cold requests, one per pack"
    )
    parser.add_argument("--connections", type=at_least(1), default=8, help="requests in flight")
    parser.add_argument("--render-workers", type=at_least(0), default=os.cpu_count() or 2)
    parser.add_argument(
        "--endpoint-url", type=http_url, help="S3/DynamoDB endpoint (default: embedded moto)"
    )


def run(args: argparse.Namespace) -> int:
    photo = synthetic_photo(1920, 1080, 7)
    storage = args.endpoint_url or "embedded"
    runs = {storage: _run_one(args.endpoint_url, photo, args)}
    result = {
        "operation": "1920x1080 JPEG → 600x338 JPEG q85, cold (render and store)",
        "requests": args.requests,
        "connections": args.connections,
        "render_workers": args.render_workers,
        "cores": os.cpu_count(),
        "load_average": round(os.getloadavg()[0], 2),
        "thumbor_per_s": THUMBOR_PER_S,
        "target_per_s": TARGET_PER_S,
        "runs": runs,
    }
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _print(result, output)
    return 0 if all(r["misses"] == args.requests for r in runs.values()) else 1


@dataclass
class _Origin:
    process: subprocess.Popen[str]
    url: str

    def pids(self) -> dict[str, list[int]]:
        """The origin's processes by role: its own, moto's (a child), the render pool's."""
        groups: dict[str, list[int]] = {
            "origin": [self.process.pid],
            "moto": [],
            "render workers": [],
        }
        for pid in _descendants(self.process.pid):
            groups[
                "moto" if "ThreadedMotoServer" in _command_line(pid) else "render workers"
            ].append(pid)
        return groups

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)


def _run_one(endpoint_url: str | None, photo: bytes, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== cold renders, storage: {endpoint_url or 'embedded moto'}", flush=True)
    command = [sys.executable, "-m", "cdnsim.cli", "origin", "--port", "0"]
    command += ["--render-workers", str(args.render_workers)]
    if endpoint_url:
        command += ["--endpoint-url", endpoint_url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # "origin listening on URL (tenant …)"
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the origin did not start: {line!r}")
    origin = _Origin(process, line.split("listening on ")[1].split()[0])
    try:
        return asyncio.run(_measure(origin, photo, args))
    finally:
        origin.stop()


async def _measure(procs: _Origin, photo: bytes, args: argparse.Namespace) -> dict[str, Any]:
    token = _token()
    headers = {"Authorization": f"Bearer {token}"}
    async with aiohttp.ClientSession(base_url=procs.url) as session:
        started = time.perf_counter()
        pack_ids = await _seed(session, headers, photo, args.requests)
        print(
            f"   {len(pack_ids)} packs seeded in {time.perf_counter() - started:.1f} s", flush=True
        )
        await _ensure_workers_started(session, pack_ids.pop())
        pids = procs.pids()
        cpu_before = {name: cpu_seconds(group) for name, group in pids.items()}
        started = time.perf_counter()
        latencies, misses = await _load(session, pack_ids, args.connections)
        elapsed = time.perf_counter() - started
        cpu = {name: cpu_seconds(group) - cpu_before[name] for name, group in pids.items()}
    done = len(latencies)
    return {
        "renders_per_s": round(done / elapsed, 1),
        "misses": misses,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(statistics.quantiles(latencies, n=20)[-1] * 1000, 1),
        "cpu_ms_per_request": {name: round(s / done * 1000, 2) for name, s in cpu.items()},
        "cpu_ms_per_request_total": round(sum(cpu.values()) / done * 1000, 2),
    }


async def _seed(
    session: aiohttp.ClientSession, headers: dict[str, str], photo: bytes, count: int
) -> list[str]:
    """One location config and ``count`` + 1 packs, each with its own upload of the photo."""
    async with session.put(
        "/adminAPI/imageLocationConfigs?force=true", headers=headers, json=[LOCATION]
    ) as response:
        response.raise_for_status()
    gate = asyncio.Semaphore(16)

    async def one(index: int) -> str:
        async with gate:
            async with session.post(
                "/adminAPI/imagePacks", headers=headers, json={"assetId": f"cold-{index}"}
            ) as response:
                response.raise_for_status()
                pack_id = str((await response.json())["id"])
            form = aiohttp.FormData()
            form.add_field("file", photo, filename="photo.jpg", content_type="image/jpeg")
            path = f"/adminAPI/imagePack/{pack_id}/main/upload"
            async with session.post(path, headers=headers, data=form) as response:
                response.raise_for_status()
            return pack_id

    return list(await asyncio.gather(*(one(i) for i in range(count + 1))))


async def _ensure_workers_started(session: aiohttp.ClientSession, pack_id: str) -> None:
    """The render pool starts its processes on first use: keep that out of the figures."""
    async with session.get(f"/api/v2/img/{pack_id}?location=main") as response:
        response.raise_for_status()
        await response.read()


async def _load(
    session: aiohttp.ClientSession, pack_ids: list[str], connections: int
) -> tuple[list[float], int]:
    pending = list(reversed(pack_ids))
    latencies: list[float] = []
    misses = 0

    async def lane() -> None:
        nonlocal misses
        while pending:
            pack_id = pending.pop()
            started = time.perf_counter()
            async with session.get(f"/api/v2/img/{pack_id}?location=main") as response:
                await response.read()
                if response.status != 200:
                    raise RuntimeError(f"pack {pack_id}: {response.status}")
                misses += response.headers.get("X-Variant-Cache") == "miss"
            latencies.append(time.perf_counter() - started)

    await asyncio.gather(*(lane() for _ in range(connections)))
    return latencies, misses


def _print(result: dict[str, Any], output: Path) -> None:
    print(
        f"cold renders over HTTP, {result['operation']}, {result['cores']} cores, "
        f"{result['connections']} connections, load average {result['load_average']}"
    )
    for storage, run in result["runs"].items():
        cpu = ", ".join(f"{name} {ms:.1f}" for name, ms in run["cpu_ms_per_request"].items())
        print(
            f"  {storage:13s} {run['renders_per_s']:6.1f}/s  p50 {run['p50_ms']:.0f} ms  "
            f"p95 {run['p95_ms']:.0f} ms  CPU ms per request: {cpu} "
            f"(total {run['cpu_ms_per_request_total']:.1f})  misses {run['misses']}"
        )
    print(f"thumbor (no storage): {THUMBOR_PER_S:g}/s; target {TARGET_PER_S:g}/s. JSON: {output}")


def _descendants(pid: int) -> list[int]:
    """Every process below ``pid`` (children are listed per thread that started them)."""
    found: list[int] = []
    todo = [pid]
    while todo:
        parent = todo.pop()
        for task in Path(f"/proc/{parent}/task").glob("*"):
            try:
                children = [int(child) for child in (task / "children").read_text().split()]
            except OSError:
                continue
            found += children
            todo += children
    return found


def _token() -> str:
    return make_token(os.environ.get("CDNSIM_JWT_SECRET", DEV_JWT_SECRET), "*", ttl=3600)


def _command_line(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""
