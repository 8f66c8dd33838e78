"""``cdnsim bench hit``: the edge's hit path under load.

A 40 KB object is cached on one POP (worker processes on one port, diskcache), then a
load generator in a separate process drives it on loopback: wrk when installed,
otherwise cdnsim's own Python generator (slower, so its figures are a floor). Prints
hits/s, p50 and p99 latency and the edge's CPU time per hit, and writes them as JSON.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import urllib.request
from pathlib import Path
from typing import Any

from aiohttp import web

from cdnsim.usage import at_least, positive_float
from common.serving import ServedApp, serve

TARGET_HITS_PER_SECOND = 20_000
TARGET_P99_MS = 5.0


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=positive_float, default=10.0, help="seconds of load")
    parser.add_argument("--connections", type=at_least(1), default=32)
    parser.add_argument("--threads", type=at_least(1), default=2, help="wrk threads")
    parser.add_argument("--workers", type=at_least(1), default=2, help="edge worker processes")
    parser.add_argument("--size", type=at_least(1), default=40 * 1024, help="object size in bytes")


def run(args: argparse.Namespace) -> int:
    origin = _Origin(b"x" * args.size)
    origin.start()
    with tempfile.TemporaryDirectory(prefix="cdnsim-bench-") as cache_dir:
        edge = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cdnsim.cli",
                "edge",
                "--origin",
                origin.url,
                "--port",
                "0",
                "--workers",
                str(args.workers),
                "--cache-dir",
                cache_dir,
                "--no-hit-events",
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            result = _measure(args, edge)
        finally:
            edge.terminate()
            edge.wait(timeout=30)
            origin.stop()
    _report(result, Path(args.output))
    return 0 if result["hits_per_second"] > 0 else 1


def _measure(args: argparse.Namespace, edge: subprocess.Popen[str]) -> dict[str, Any]:
    assert edge.stdout is not None
    ready = json.loads(edge.stdout.readline())
    url = ready["pops"][0]["url"] + "/object"
    pids = [edge.pid, *ready["workers"].get("pop-1", [])]
    for _ in range(2):  # the first fills the cache, the second must be a hit
        with urllib.request.urlopen(url, timeout=10) as resp:
            x_cache = resp.headers["X-Cache"]
    if not x_cache.startswith("Hit"):
        raise RuntimeError(f"the object is not cached: X-Cache {x_cache}")
    cpu_before = cpu_seconds(pids)
    if shutil.which("wrk"):
        generator, load = "wrk", _run_wrk(url, args)
    else:
        print(
            "wrk is not installed (apt-get install wrk): falling back to cdnsim's Python load "
            "generator, which is slower than wrk, so these figures are a floor",
            file=sys.stderr,
        )
        generator, load = "python-loadgen", _run_loadgen(url, args)
    cpu = cpu_seconds(pids) - cpu_before
    requests = max(1, int(load["requests"]))
    return {
        "generator": generator,
        "url": url,
        "object_bytes": args.size,
        "workers": args.workers,
        "connections": args.connections,
        "duration_s": args.duration,
        "hits_per_second": round(load["requests_per_second"], 1),
        "p50_ms": round(load["p50_ms"], 3),
        "p99_ms": round(load["p99_ms"], 3),
        "errors": load["errors"],
        "edge_cpu_s": round(cpu, 3),
        "edge_cpu_us_per_hit": round(cpu / requests * 1e6, 2),
        "uvloop": _has_uvloop(),
        "target": {"hits_per_second": TARGET_HITS_PER_SECOND, "p99_ms": TARGET_P99_MS},
        "meets_target": load["requests_per_second"] >= TARGET_HITS_PER_SECOND
        and load["p99_ms"] < TARGET_P99_MS,
    }


def _run_wrk(url: str, args: argparse.Namespace) -> dict[str, float]:
    command = [
        "wrk",
        f"-t{args.threads}",
        f"-c{args.connections}",
        f"-d{args.duration:g}s",
        "--latency",
        url,
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return parse_wrk(out)


def parse_wrk(out: str) -> dict[str, float]:
    """Requests/sec, the 50% and 99% latencies and errors from wrk's --latency report."""
    rate = re.search(r"Requests/sec:\s*([\d.]+)", out)
    total = re.search(r"(\d+) requests in", out)
    errors = re.search(r"Non-2xx or 3xx responses:\s*(\d+)", out)
    if rate is None or total is None:
        raise RuntimeError(f"cannot read wrk's output:\n{out}")
    return {
        "requests": float(total.group(1)),
        "requests_per_second": float(rate.group(1)),
        "p50_ms": _wrk_latency(out, "50"),
        "p99_ms": _wrk_latency(out, "99"),
        "errors": float(errors.group(1)) if errors else 0.0,
    }


def _wrk_latency(out: str, percentile: str) -> float:
    match = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", out, re.MULTILINE)
    if match is None:
        return float("nan")
    return float(match.group(1)) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[match.group(2)]


def _run_loadgen(url: str, args: argparse.Namespace) -> dict[str, float]:
    command = [
        sys.executable,
        "-m",
        "cdnsim.bench.loadgen",
        url,
        "--connections",
        str(args.connections),
        "--duration",
        str(args.duration),
    ]
    out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    return json.loads(out.strip().splitlines()[-1])  # type: ignore[no-any-return]


def cpu_seconds(pids: list[int]) -> float:
    """User + system CPU seconds used so far by these processes (Linux /proc)."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def _has_uvloop() -> bool:
    try:
        import uvloop  # type: ignore[import-not-found]  # noqa: F401
    except ImportError:
        return False
    return True


def _report(result: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    verdict = "meets" if result["meets_target"] else "misses"
    print(
        f"edge hit path ({result['generator']}, {result['workers']} workers, {result['connections']} connections): "
        f"{result['hits_per_second']:,.0f} hits/s, p50 {result['p50_ms']:.2f} ms, p99 {result['p99_ms']:.2f} ms, "
        f"{result['edge_cpu_us_per_hit']:.1f} µs edge CPU per hit; {verdict} the target "
        f"({TARGET_HITS_PER_SECOND:,} hits/s, p99 < {TARGET_P99_MS:g} ms). JSON: {output}"
    )


class _Origin:
    """A one-object origin on loopback in a background thread (it is asked once)."""

    def __init__(self, body: bytes) -> None:
        self._body = body
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)
        self._served: ServedApp | None = None
        self.url = ""

    def start(self) -> None:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self._loop).result(timeout=30)

    async def _start(self) -> None:
        async def handle(_: web.Request) -> web.Response:
            return web.Response(
                body=self._body,
                content_type="application/octet-stream",
                headers={"Cache-Control": "max-age=86400"},
            )

        app = web.Application()
        app.router.add_get("/{tail:.*}", handle)
        self._served = await serve(app)
        self.url = self._served.url

    def stop(self) -> None:
        if self._served is not None:
            asyncio.run_coroutine_threadsafe(self._served.close(), self._loop).result(timeout=30)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(timeout=10)
