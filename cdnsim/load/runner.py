"""Running one load test: a stack (the one a ready file names, or one started here), Locust
headless in its own processes, and a sampler of the stack and of Locust's CPU. The result
is a *recording* (plain JSON) that :func:`cdnsim.load.report.join` turns into a report."""

from __future__ import annotations

import asyncio
import contextlib
import json
import logging
import os
import resource
import signal
import socket
import subprocess
import sys
import time
from collections.abc import AsyncIterator, Sequence
from dataclasses import asdict
from pathlib import Path
from typing import Any

import aiohttp

from cdnsim.load import live, progress
from cdnsim.load.sampler import StackSampler, process_tree_cpu
from cdnsim.load.settings import LoadSettings
from cdnsim.usage import UsageError

log = logging.getLogger(__name__)
LOADTESTS = Path(__file__).resolve().parents[2] / "loadtests"
PROFILES = {"serving": "serving.py", "admin-churn": "admin_churn.py", "rebuild": "rebuild.py"}
CPU_WARNING = "CPU usage"  # how Locust's own saturation warnings begin


async def record(settings: LoadSettings) -> dict[str, Any]:
    settings.output.mkdir(parents=True, exist_ok=True)
    async with (
        _stack(settings) as (ready, stack_pid),
        aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=30)) as session,
    ):
        packs = await _packs(session, ready)
        sampler = StackSampler(session, ready["control"])
        await sampler.start()
        if settings.progress and settings.profile != "serving":
            await progress.warn_without_tick(session, ready, settings.duration)
        return await _run_locust(settings, ready, packs, sampler, stack_pid)


@contextlib.asynccontextmanager
async def _stack(settings: LoadSettings) -> AsyncIterator[tuple[dict[str, Any], int | None]]:
    if settings.target is not None:
        yield json.loads(settings.target.read_text(encoding="utf-8")), None
        return
    if settings.progress:
        print(f"starting cdnsim up --demo {' '.join(settings.stack_args)} (log: "
              f"{settings.output / 'stack.log'})".replace("  (", " ("), flush=True)  # fmt: skip
    ready_file = settings.output / "stack.json"
    ready_file.unlink(missing_ok=True)
    log_file = (settings.output / "stack.log").open("w", encoding="utf-8")
    command = [sys.executable, "-m", "cdnsim.cli", "up", "--demo", "--ready-file", str(ready_file),
               *settings.stack_args]  # fmt: skip
    # Popen only spawns (the process is awaited below without blocking the loop).
    stack = subprocess.Popen(  # noqa: ASYNC220
        command, stdout=log_file, stderr=subprocess.STDOUT, start_new_session=True
    )
    try:
        while not ready_file.exists():  # a CLI waiting for its child, not a test
            if stack.poll() is not None:
                raise UsageError(_stack_failure(settings.output / "stack.log", stack.returncode))
            await asyncio.sleep(0.1)
        yield json.loads(ready_file.read_text(encoding="utf-8")), stack.pid
    finally:
        if stack.poll() is None:
            os.killpg(stack.pid, signal.SIGTERM)
        try:
            await asyncio.to_thread(stack.wait, 30)
        except subprocess.TimeoutExpired:
            os.killpg(stack.pid, signal.SIGKILL)
            stack.wait()
        log_file.close()


def _stack_failure(log_path: Path, code: int) -> str:
    log_file = log_path.read_text(encoding="utf-8", errors="replace").strip().splitlines()
    said = next((line for line in reversed(log_file) if not line.startswith("usage:")), "")
    return f"the stack did not start (exit {code}): {said or 'no output'} (log: {log_path})"


async def _packs(session: aiohttp.ClientSession, ready: dict[str, Any]) -> list[str]:
    headers = {"Authorization": f"Bearer {ready['admin_token']}"}
    async with session.get(
        f"{ready['origin']}/adminAPI/imagePacks?limit=100", headers=headers
    ) as response:
        body = await response.json()
        if response.status != 200 or not body.get("imagePackIds"):
            raise RuntimeError(f"the stack has no image packs to load ({response.status}: {body})")
        return list(body["imagePackIds"])


def locust_commands(
    settings: LoadSettings, ready: dict[str, Any], packs: Sequence[str]
) -> list[list[str]]:
    """The Locust processes to start: one headless process, or a headless master then its
    workers (Locust sends the cdnsim options from the master to every worker)."""
    locust = [sys.executable, "-m", "locust", "-f", str(LOADTESTS / PROFILES[settings.profile])]
    # Headless for a set time, or Locust's web UI (loopback) with the same values filled in.
    mode = (
        ["--headless", "-t", f"{max(1, round(settings.duration))}s", "--only-summary"]
        if settings.web_port is None
        else ["--web-host", "127.0.0.1", "--web-port", str(settings.web_port)]
    )
    options = [
        *mode, "-u", str(settings.users), "-r", f"{settings.spawn_rate:g}", "--stop-timeout", "5",
        "--json-file", str(settings.output / "locust"), "--html", str(settings.output / "locust.html"),
        "--loglevel", "WARNING",
        "--pops", ",".join(p["url"] for p in ready["pops"]), "--packs", ",".join(packs),
        "--origin", ready["origin"], "--timeline-dir", str(settings.output / "timelines"),
        *settings.locust_args,
    ]  # fmt: skip
    if not settings.workers:
        return [locust + options]
    port = str(free_port())
    master = [
        *locust,
        *options,
        "--master",
        "--master-bind-host",
        "127.0.0.1",
        "--master-bind-port",
        port,
    ]
    if settings.web_port is None:
        master += ["--expect-workers", str(settings.workers), "--expect-workers-max-wait", "60"]  # fmt: skip
    worker = [
        *locust,
        "--worker",
        "--master-host",
        "127.0.0.1",
        "--master-port",
        port,
        "--loglevel",
        "WARNING",
    ]
    return [master] + [worker] * settings.workers


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


async def _run_locust(
    settings: LoadSettings,
    ready: dict[str, Any],
    packs: list[str],
    sampler: StackSampler,
    stack_pid: int | None,
) -> dict[str, Any]:
    (settings.output / "timelines").mkdir(exist_ok=True)
    for old in (settings.output / "timelines").glob("timeline-*.json"):
        old.unlink()
    env = {
        **os.environ,
        "CDNSIM_ADMIN_TOKEN": ready["admin_token"],
        "PYTHONPATH": os.pathsep.join(
            filter(None, [str(LOADTESTS.parent), os.environ.get("PYTHONPATH")])
        ),
    }
    children_cpu = resource.getrusage(resource.RUSAGE_CHILDREN)
    samples = [await _sample(sampler, [], stack_pid)]
    started = time.time()
    logs = [(settings.output / f"locust-{i}.log").open("w", encoding="utf-8")
            for i in range(1 + settings.workers)]  # fmt: skip
    commands = locust_commands(settings, ready, packs)
    processes = [
        subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, env=env)  # noqa: ASYNC220
        for command, log in zip(commands, logs, strict=True)
    ]
    if settings.progress:
        print(progress.starting(settings, ready), flush=True)
    try:
        await _watch(settings, processes, samples, sampler, stack_pid, started)
        ended = time.time()
        for process in processes:
            await asyncio.to_thread(_stop, process)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
        for log_file in logs:
            log_file.close()
    samples.append(await _sample(sampler, [], stack_pid))
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    return {
        "started": started,
        "ended": ended,
        "warmup_s": settings.warmup,
        "cpu_count": os.cpu_count() or 1,
        "settings": {
            **asdict(settings),
            "output": str(settings.output),
            "target": str(settings.target),
            "packs": packs,
            "pops": ready["pops"],
            "clock": ready.get("clock"),
            "started_stack": settings.target is None,
        },
        "locust": {
            "exit_code": processes[0].returncode,
            "stats": _read_json(settings.output / "locust.json", []),
            "log_warnings": _warnings(settings.output),
            "cpu_s": (after.ru_utime + after.ru_stime)
            - (children_cpu.ru_utime + children_cpu.ru_stime),
        },
        "timelines": [
            _read_json(path, {}) for path in sorted((settings.output / "timelines").glob("*.json"))
        ],
        "samples": samples,
    }


async def _watch(
    settings: LoadSettings,
    processes: list[subprocess.Popen[bytes]],
    samples: list[dict[str, Any]],
    sampler: StackSampler,
    stack_pid: int | None,
    started: float,
) -> None:
    """Sample until Locust ends: after its run time when headless; with the web UI, when
    the user ends it here (Ctrl-C, SIGTERM), which stops Locust too. A live line every
    few seconds."""
    stop = asyncio.Event()
    if settings.web_port is not None:
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.add_signal_handler(sig, stop.set)
    deadline = started + settings.duration + 90 if settings.web_port is None else float("inf")
    printed = started
    try:
        while processes[0].poll() is None and time.time() < deadline and not stop.is_set():
            await asyncio.sleep(settings.sample_interval)
            samples.append(await _sample(sampler, [p.pid for p in processes], stack_pid))
            if settings.progress and time.time() - printed >= live.EVERY:
                printed = time.time()
                timelines = [
                    _read_json(path, {"seconds": {}})
                    for path in (settings.output / "timelines").glob("timeline-*.json")
                ]
                progress.print_live(settings, samples, timelines, started)
    finally:
        if settings.web_port is not None:
            for sig in (signal.SIGINT, signal.SIGTERM):
                asyncio.get_running_loop().remove_signal_handler(sig)
            for process in processes:
                if process.poll() is None:
                    process.send_signal(signal.SIGTERM)  # Locust quits and writes its files


async def _sample(
    sampler: StackSampler, locust_pids: list[int], stack_pid: int | None
) -> dict[str, Any]:
    sample = await sampler.sample()
    sample["locust_cpu_s"] = {k: v for pid in locust_pids for k, v in process_tree_cpu(pid).items()}
    sample["stack_cpu_s"] = sum(process_tree_cpu(stack_pid).values()) if stack_pid else None
    return sample


def _stop(process: subprocess.Popen[bytes]) -> None:
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.terminate()
        process.wait(timeout=10)


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


def _warnings(output: Path) -> list[str]:
    lines = []
    for path in sorted(output.glob("locust-*.log")):
        lines += [line.strip() for line in path.read_text(encoding="utf-8", errors="replace").splitlines()
                  if CPU_WARNING in line]  # fmt: skip
    return lines
