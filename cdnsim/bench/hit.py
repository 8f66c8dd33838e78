"""``cdnsim bench hit``: the edge's hit path under load, with the edge's defaults (a
worker process per core, hit events on).

A 40 KB object is cached on one POP, then a load generator in a separate process drives
it on loopback: wrk when installed, otherwise cdnsim's own Python generator (slower, so
its figures are a floor). Prints hits/s, p50 and p99 latency and the edge's CPU time per
hit, and writes them as JSON. ``--vs-nginx`` measures nginx's ``proxy_cache`` with as
many workers on the same origin and object, under the same load, and prints the ratio.
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

from cdnsim.bench.nginx import find_nginx, running_nginx
from cdnsim.usage import at_least, positive_float
from common.serving import ServedApp, serve
from edge.config import default_workers

TARGET_P99_MS = 5.0
TARGET_NGINX_RATIO = 0.5  # at least half of nginx's hits/s with as many workers
TARGET_HITS_PER_SECOND = 20_000  # without nginx to compare with


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--duration", type=positive_float, default=10.0, help="seconds of load")
    parser.add_argument("--connections", type=at_least(1), default=32)
    parser.add_argument("--threads", type=at_least(1), default=2, help="wrk threads")
    parser.add_argument(
        "--workers",
        type=at_least(1),
        default=None,
        help="edge worker processes (default: the edge's, one per core)",
    )
    parser.add_argument("--size", type=at_least(1), default=40 * 1024, help="object size in bytes")
    parser.add_argument(
        "--no-hit-events", action="store_true", help="turn hit events off (they are on by default)"
    )
    parser.add_argument(
        "--vs-nginx",
        action="store_true",
        help="measure nginx proxy_cache with as many workers beside it (when nginx is installed)",
    )


def run(args: argparse.Namespace) -> int:
    workers = args.workers or default_workers("real")
    origin = _Origin(b"x" * args.size)
    origin.start()
    try:
        result = _measure_edge(args, workers, origin.url)
        if args.vs_nginx:
            result["nginx"] = _measure_nginx(args, workers, origin.url)
    finally:
        origin.stop()
    _judge(result)
    _report(result, Path(args.output))
    return 0 if result["hits_per_second"] > 0 else 1


def _measure_edge(args: argparse.Namespace, workers: int, origin: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="cdnsim-bench-") as cache_dir:
        command = [sys.executable, "-m", "cdnsim.cli", "edge", "--origin", origin]
        command += ["--port", "0", "--workers", str(workers), "--cache-dir", cache_dir]
        command += ["--no-hit-events"] if args.no_hit_events else []
        edge = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
        try:
            assert edge.stdout is not None
            ready = json.loads(edge.stdout.readline())
            url = ready["pops"][0]["url"]
            pids = [edge.pid, *ready["workers"].get("pop-1", [])]
            result = _measure(args, url, pids)
        finally:
            edge.terminate()
            edge.wait(timeout=30)
    return {**result, "workers": workers, "hit_events": not args.no_hit_events}


def _measure_nginx(args: argparse.Namespace, workers: int, origin: str) -> dict[str, Any] | None:
    binary = find_nginx()
    if binary is None:
        print(
            "nginx is not installed (apt-get install nginx-light): measuring cdnsim alone",
            file=sys.stderr,
        )
        return None
    with running_nginx(binary, origin, workers) as (url, pids):
        return {**_measure(args, url, pids), "workers": workers}


def _measure(args: argparse.Namespace, base: str, pids: list[int]) -> dict[str, Any]:
    url = base + "/object"
    for _ in range(2):  # the first fills the cache, the second must be a hit
        with urllib.request.urlopen(url, timeout=10) as resp:
            x_cache = resp.headers["X-Cache"]
    if not x_cache.lower().startswith("hit"):
        raise RuntimeError(f"the object is not cached at {base}: X-Cache {x_cache}")
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
        "connections": args.connections,
        "duration_s": args.duration,
        "hits_per_second": round(load["requests_per_second"], 1),
        "p50_ms": round(load["p50_ms"], 3),
        "p99_ms": round(load["p99_ms"], 3),
        "errors": load["errors"],
        "edge_cpu_s": round(cpu, 3),
        "edge_cpu_us_per_hit": round(cpu / requests * 1e6, 2),
        "load_average": os.getloadavg()[0],
        "uvloop": _has_uvloop(),
    }


def _judge(result: dict[str, Any]) -> None:
    """The targets: p99 < 5 ms, and half of nginx's hits/s (without nginx: 20,000/s)."""
    nginx = result.get("nginx")
    ratio = result["hits_per_second"] / nginx["hits_per_second"] if nginx else None
    result["vs_nginx"] = round(ratio, 3) if ratio is not None else None
    fast_enough = (
        ratio >= TARGET_NGINX_RATIO
        if ratio is not None
        else result["hits_per_second"] >= TARGET_HITS_PER_SECOND
    )
    result["target"] = {
        "p99_ms": TARGET_P99_MS,
        "vs_nginx": TARGET_NGINX_RATIO,
        "hits_per_second_without_nginx": TARGET_HITS_PER_SECOND,
    }
    result["meets_target"] = fast_enough and result["p99_ms"] < TARGET_P99_MS


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


def _line(name: str, r: dict[str, Any]) -> str:
    return (
        f"{name:<7} {r['hits_per_second']:>9,.0f} hits/s  p50 {r['p50_ms']:6.2f} ms  "
        f"p99 {r['p99_ms']:6.2f} ms  {r['edge_cpu_us_per_hit']:6.1f} µs CPU/hit"
    )


def _report(result: dict[str, Any], output: Path) -> None:
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    events = "hit events on" if result["hit_events"] else "hit events off"
    print(
        f"edge hit path: {result['workers']} workers, {events}, {result['connections']} "
        f"connections, {result['generator']}, load average {result['load_average']:.1f}"
    )
    print(_line("cdnsim", result))
    if result.get("nginx"):
        print(_line("nginx", result["nginx"]))
        print(f"cdnsim / nginx: {result['vs_nginx']:.2f} (target ≥ {TARGET_NGINX_RATIO})")
    verdict = "meets" if result["meets_target"] else "misses"
    print(f"{verdict} the target (p99 < {TARGET_P99_MS:g} ms and the rate above). JSON: {output}")


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
