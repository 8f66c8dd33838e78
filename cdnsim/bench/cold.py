"""``cdnsim bench cold``: cold renders through HTTP, the whole serving path on every request.

A real ``cdnsim origin`` process (render pool on every core; ``--origin-workers`` processes)
gets ``requests / K`` image packs, each with its own upload of the 1920×1080 photo of
``bench render``, K = ``--variants-per-original``. Then ``--connections`` clients ask each
pack for K widths near 600 (``?width=600``, 592, …: about 600×338 JPEG q85), one request
per variant, round-robin over the packs: every request is a new variant, so the origin
misses the S3 variant cache, renders and stores it, as for a first viewer of that size.
With K = 1 every request is also the first read of its original. Every answer must say
``X-Variant-Cache: miss``.

``--vs-thumbor`` runs thumbor 7.8.0 (its own venv, see :mod:`cdnsim.bench.thumbor`) on the
same files and the same URLs' sizes, with the same load generator, and prints the ratio.

Figures: renders/s, p50/p95 latency, the CPU time per request of each process (the origin
and its workers, the render workers, the embedded moto; thumbor's processes), and the
machine's load average before and after each run, since other work on the machine changes
throughput (CPU per request much less).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp

from cdnsim.bench import thumbor
from cdnsim.bench.hit import cpu_seconds
from cdnsim.bench.processes import command_line, descendants
from cdnsim.bench.render import synthetic_photo
from cdnsim.usage import at_least, http_url
from origin.auth import make_token
from origin.settings import DEV_JWT_SECRET
from origin.storage.embedded import MODULE as MOTO_MODULE

TARGET_RATIO, GOAL_RATIO = 0.8, 1.0
WIDTH, STEP = 600, 8  # the K widths: 600, 592, 584, …


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--requests", type=at_least(1), default=400, help="cold requests (variants)"
    )
    parser.add_argument("--connections", type=at_least(1), default=8, help="requests in flight")
    parser.add_argument("--variants-per-original", type=at_least(1), default=4, metavar="K")
    parser.add_argument("--render-workers", type=at_least(0), default=os.cpu_count() or 2)
    parser.add_argument("--origin-workers", type=at_least(1), default=1)
    parser.add_argument(
        "--endpoint-url", type=http_url, help="S3/DynamoDB endpoint (default: embedded moto)"
    )
    parser.add_argument("--storage-memo", choices=("auto", "exact", "off"), default="auto")
    parser.add_argument(
        "--storage-pids",
        default="",
        metavar="PID,…",
        help="processes of an --endpoint-url server to count as 'storage' (e.g. moto's)",
    )
    parser.add_argument("--vs-thumbor", action="store_true", help="measure thumbor beside it")
    parser.add_argument("--thumbor-venv", type=Path, default=thumbor.DEFAULT_VENV)
    parser.add_argument(
        "--install-thumbor", action="store_true", help="create --thumbor-venv if it is missing"
    )
    parser.add_argument("--thumbor-processes", type=at_least(1), default=os.cpu_count() or 2)


def run(args: argparse.Namespace) -> int:
    if args.requests < 1 or not 1 <= args.variants_per_original <= 25:
        raise SystemExit("--requests must be ≥ 1 and --variants-per-original 1..25")
    photo = synthetic_photo(1920, 1080, 7)
    workload = _workload(args.requests, args.variants_per_original)
    runs = {"cdnsim": _run_origin(args, photo, workload)}
    note = None
    if args.vs_thumbor:
        command = thumbor.executable(args.thumbor_venv)
        if command is None and args.install_thumbor:
            command = thumbor.install(args.thumbor_venv)
        if command is None:
            note = thumbor.how_to_install(args.thumbor_venv)
        else:
            runs["thumbor"] = _run_thumbor(command, args, photo, workload)
    result: dict[str, Any] = {
        "operation": "1920x1080 JPEG → ~600x338 JPEG q85, a new variant per request",
        "requests": args.requests,
        "variants_per_original": args.variants_per_original,
        "connections": args.connections,
        "render_workers": args.render_workers,
        "origin_workers": args.origin_workers,
        "storage_memo": args.storage_memo,
        "cores": os.cpu_count(),
        "runs": runs,
    }
    if "thumbor" in runs:
        ours, theirs = runs["cdnsim"], runs["thumbor"]
        result["ratio"] = round(ours["renders_per_s"] / theirs["renders_per_s"], 2)
        # What the same cores would give each when nothing else runs: robust on a shared
        # machine, where a server with more processes takes a larger share of the CPU.
        result["cpu_ratio"] = round(
            theirs["cpu_ms_per_request_total"] / ours["cpu_ms_per_request_total"], 2
        )
    if note:
        result["thumbor"] = note
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    _print(result, output)
    return 0 if runs["cdnsim"]["misses"] == args.requests else 1


def _workload(requests: int, per_original: int) -> list[tuple[int, int]]:
    """(original, width) per request: round-robin over the originals, a new width each lap."""
    originals = -(-requests // per_original)
    return [(i % originals, WIDTH - STEP * (i // originals)) for i in range(requests)]


# -- the origin -------------------------------------------------------------------------
@dataclass
class _Origin:
    process: subprocess.Popen[str]
    url: str
    storage: list[int]  # an external storage server's processes (--storage-pids)

    def pids(self) -> dict[str, list[int]]:
        """The processes by role: the origin (and its workers), moto, the render pools."""
        groups: dict[str, list[int]] = {
            "origin": [self.process.pid],
            "moto": [],
            "render workers": [],
        }
        if self.storage:
            groups["storage"] = self.storage
        for pid in descendants(self.process.pid):
            command = command_line(pid)
            role = (
                "moto"
                if MOTO_MODULE in command
                else "origin"
                if "spawn_main" in command
                else "render workers"
            )
            groups[role].append(pid)
        return groups

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=60)


def _run_origin(
    args: argparse.Namespace, photo: bytes, workload: list[tuple[int, int]]
) -> dict[str, Any]:
    print(f"== cdnsim, storage: {args.endpoint_url or 'embedded moto'}", flush=True)
    command = [sys.executable, "-m", "cdnsim.cli", "origin", "--port", "0"]
    command += ["--render-workers", str(args.render_workers)]
    command += ["--workers", str(args.origin_workers), "--storage-memo", args.storage_memo]
    if args.endpoint_url:
        command += ["--endpoint-url", args.endpoint_url]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    assert process.stdout is not None
    line = process.stdout.readline()  # "origin listening on URL (tenant …)"
    if "listening on" not in line:
        process.kill()
        raise RuntimeError(f"the origin did not start: {line!r}")
    external = [int(pid) for pid in args.storage_pids.split(",") if pid.strip()]
    origin = _Origin(process, line.split("listening on ")[1].split()[0], external)
    try:
        return asyncio.run(
            _measure_origin(origin, photo, workload, args.connections, args.origin_workers)
        )
    finally:
        origin.stop()


async def _measure_origin(
    origin: _Origin,
    photo: bytes,
    workload: list[tuple[int, int]],
    connections: int,
    origin_workers: int,
) -> dict[str, Any]:
    headers = {"Authorization": f"Bearer {_token()}"}
    originals = max(source for source, _ in workload) + 1
    async with aiohttp.ClientSession(base_url=origin.url) as session:
        started = time.perf_counter()
        pack_ids = await _seed(session, headers, photo, originals + 1)
        print(f"   {originals} packs seeded in {time.perf_counter() - started:.1f} s", flush=True)
        warm = pack_ids.pop()  # render pools start on first use: keep that out of the figures
        async with aiohttp.ClientSession(
            base_url=origin.url, connector=aiohttp.TCPConnector(force_close=True)
        ) as fresh:  # a new connection each: every origin worker gets some
            for index in range(8 * origin_workers):
                await _get(fresh, f"/api/v2/img/{warm}?width={WIDTH - 1 - index}")
        paths = [f"/api/v2/img/{pack_ids[source]}?width={width}" for source, width in workload]
        return await _measure(session, paths, connections, origin.pids, "X-Variant-Cache")


async def _seed(
    session: aiohttp.ClientSession, headers: dict[str, str], photo: bytes, count: int
) -> list[str]:
    """``count`` packs, each with its own upload of the photo at ``main``."""
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

    return list(await asyncio.gather(*(one(i) for i in range(count))))


# -- thumbor ----------------------------------------------------------------------------
def _run_thumbor(
    command: Path, args: argparse.Namespace, photo: bytes, workload: list[tuple[int, int]]
) -> dict[str, Any]:
    print(f"== thumbor {thumbor.VERSION}, {args.thumbor_processes} processes", flush=True)
    with tempfile.TemporaryDirectory(prefix="cdnsim-bench-thumbor-") as folder:
        root = Path(folder)
        originals = max(source for source, _ in workload) + 1
        for source in range(originals + 1):
            (root / f"photo-{source}.jpg").write_bytes(photo)
        server = thumbor.start(command, root, args.thumbor_processes)
        try:
            return asyncio.run(_measure_thumbor(server, workload, originals, args.connections))
        finally:
            server.stop()


async def _measure_thumbor(
    server: thumbor.Thumbor, workload: list[tuple[int, int]], warm: int, connections: int
) -> dict[str, Any]:
    async with aiohttp.ClientSession(base_url=server.url) as session:
        for _ in range(8):  # every process has loaded its engine
            await _get(session, f"/unsafe/{WIDTH}x0/photo-{warm}.jpg")
        paths = [f"/unsafe/{width}x0/photo-{source}.jpg" for source, width in workload]
        return await _measure(session, paths, connections, lambda: {"thumbor": server.pids()})


# -- measuring --------------------------------------------------------------------------
async def _measure(
    session: aiohttp.ClientSession,
    paths: list[str],
    connections: int,
    pids_of: Callable[[], dict[str, list[int]]],
    cache_header: str | None = None,
) -> dict[str, Any]:
    before = {pid: cpu_seconds([pid]) for group in pids_of().values() for pid in group}
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    latencies, misses = await _load(session, paths, connections, cache_header)
    elapsed = time.perf_counter() - started
    # Processes started during the run (a render pool's first use) count from zero.
    cpu = {
        role: sum(cpu_seconds([pid]) - before.get(pid, 0.0) for pid in group)
        for role, group in pids_of().items()
    }
    done = len(latencies)
    return {
        "renders_per_s": round(done / elapsed, 1),
        "misses": misses,
        "p50_ms": round(statistics.median(latencies) * 1000, 1),
        "p95_ms": round(statistics.quantiles(latencies, n=20)[-1] * 1000, 1),
        "cpu_ms_per_request": {role: round(s / done * 1000, 2) for role, s in cpu.items()},
        "cpu_ms_per_request_total": round(sum(cpu.values()) / done * 1000, 2),
        "load_average": {"before": round(load_before, 2), "after": round(os.getloadavg()[0], 2)},
    }


async def _load(
    session: aiohttp.ClientSession, paths: list[str], connections: int, cache_header: str | None
) -> tuple[list[float], int]:
    pending = list(reversed(paths))
    latencies: list[float] = []
    misses = 0

    async def lane() -> None:
        nonlocal misses
        while pending:
            path = pending.pop()
            started = time.perf_counter()
            cache = await _get(session, path, cache_header)
            latencies.append(time.perf_counter() - started)
            misses += cache == "miss" or cache_header is None

    await asyncio.gather(*(lane() for _ in range(connections)))
    return latencies, misses


async def _get(session: aiohttp.ClientSession, path: str, header: str | None = None) -> str | None:
    async with session.get(path) as response:
        await response.read()
        if response.status != 200:
            raise RuntimeError(f"{path}: {response.status}")
        return response.headers.get(header) if header else None


def _print(result: dict[str, Any], output: Path) -> None:
    print(
        f"cold renders over HTTP, {result['operation']} ({result['variants_per_original']} per "
        f"original), {result['requests']} requests, {result['connections']} connections, "
        f"{result['cores']} cores"
    )
    for name, run in result["runs"].items():
        cpu = ", ".join(f"{role} {ms:.1f}" for role, ms in run["cpu_ms_per_request"].items())
        load = run["load_average"]
        print(
            f"  {name:8s} {run['renders_per_s']:6.1f}/s  p50 {run['p50_ms']:.0f} ms  "
            f"p95 {run['p95_ms']:.0f} ms  CPU ms per request: {cpu} "
            f"(total {run['cpu_ms_per_request_total']:.1f})  "
            f"load {load['before']:.2f}→{load['after']:.2f}"
        )
    if "ratio" in result:
        print(
            f"  cdnsim / thumbor: {result['ratio']:.2f} by renders/s, {result['cpu_ratio']:.2f} "
            f"by CPU per request (target {TARGET_RATIO}, goal {GOAL_RATIO}; renders/s compare "
            "only on an otherwise idle machine)"
        )
    elif "thumbor" in result:
        print(f"  thumbor: not measured. {result['thumbor']}")
    print(f"JSON: {output}")


def _token() -> str:
    return make_token(os.environ.get("CDNSIM_JWT_SECRET", DEV_JWT_SECRET), "*", ttl=3600)
