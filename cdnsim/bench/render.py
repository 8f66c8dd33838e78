"""``cdnsim bench render``: how fast the Pillow pipeline renders the standard variants.

Two seeded, photo-like JPEG sources (1920×1080 and 4000×3000: gradients, translucent
shapes, thin edges, grain) are rendered into each standard operation. For each: renders/s
on one core (an in-process loop), renders/s on all cores (the RenderPool, kept busy with
two renders per worker in flight), median latency of one render, CPU time per render, and
peak RSS.

The targets come from the issue, which measured plain Pillow (draft + LANCZOS + JPEG q85) at
103/s and 37/s on an idle machine. That same baseline is measured in this run, and each
figure is also given "load-adjusted": scaled by issue baseline / baseline now, so figures
taken while other work shares the cores can still be read against the targets.
"""

from __future__ import annotations

import argparse
import asyncio
import io
import json
import multiprocessing
import os
import random
import resource
import statistics
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import PIL
from PIL import Image, ImageDraw, ImageFilter, features

from cdnsim.usage import at_least, positive_float
from origin.imaging.pipeline import render_variant
from origin.imaging.pool import RenderPool
from origin.imaging.spec import RenderSpec

SOURCES: dict[str, tuple[int, int]] = {"1920x1080": (1920, 1080), "4000x3000": (4000, 3000)}
# Plain Pillow, draft + LANCZOS to 600 wide + JPEG q85, one core, as measured in the issue.
ISSUE_BASELINE_PER_S: dict[str, float] = {"1920x1080": 103.0, "4000x3000": 37.0}


@dataclass(frozen=True)
class Operation:
    name: str
    source: str
    spec: RenderSpec
    target_per_s: float | None = None  # one core, from the issue


OPERATIONS: tuple[Operation, ...] = (
    Operation("thumbnail 600 wide", "1920x1080", RenderSpec(600, None), 90),
    Operation("thumbnail 600 wide", "4000x3000", RenderSpec(600, None), 30),
    Operation("thumbnail 320 wide", "1920x1080", RenderSpec(320, None)),
    Operation("thumbnail 320 wide", "4000x3000", RenderSpec(320, None)),
    Operation("crop 600×900", "1920x1080", RenderSpec(600, 900), 55),
    Operation("crop 600×900", "4000x3000", RenderSpec(600, 900)),
    Operation(
        "includeAll 600×900 PNG", "1920x1080", RenderSpec(600, 900, "includeAll", format="png"), 30
    ),
    Operation(
        "includeAll 600×900 PNG", "4000x3000", RenderSpec(600, 900, "includeAll", format="png")
    ),
    Operation("WebP 600 wide", "1920x1080", RenderSpec(600, None, format="webp")),
    Operation("WebP 600 wide", "4000x3000", RenderSpec(600, None, format="webp")),
)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--seconds",
        type=positive_float,
        default=2.0,
        help="time budget per measurement (default 2)",
    )
    parser.add_argument(
        "--workers",
        type=at_least(1),
        default=os.cpu_count() or 1,
        help="pool size (default: all cores)",
    )
    parser.add_argument("--seed", type=int, default=7, help="seed of the synthetic sources")


def synthetic_photo(width: int, height: int, seed: int) -> bytes:
    """A seeded photo-like JPEG (q90): smooth gradients, translucent shapes, edges, grain."""
    rnd = random.Random(seed)
    ramp = Image.linear_gradient("L").resize((width, height))
    glow = Image.radial_gradient("L").resize((width, height))
    channels = (
        glow,
        ramp.point(lambda v: 80 + v // 2),
        ramp.transpose(Image.Transpose.FLIP_TOP_BOTTOM),
    )
    base = Image.merge("RGB", channels)
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    unit = width / 100
    for _ in range(24):
        x, y = rnd.uniform(0, width), rnd.uniform(0, height)
        rx, ry = rnd.uniform(3, 18) * unit, rnd.uniform(3, 18) * unit
        colour = (
            rnd.randrange(256),
            rnd.randrange(256),
            rnd.randrange(256),
            rnd.randrange(90, 200),
        )
        shape = draw.ellipse if rnd.random() < 0.6 else draw.rectangle
        shape((x - rx, y - ry, x + rx, y + ry), fill=colour)
    for _ in range(60):  # thin lines: the fine detail that resampling must keep
        ends = [(rnd.uniform(0, width), rnd.uniform(0, height)) for _ in range(2)]
        colour = (rnd.randrange(256), rnd.randrange(256), rnd.randrange(256), 220)
        draw.line(ends, fill=colour, width=max(1, int(unit / 4)))
    base.paste(overlay, mask=overlay)
    base = base.filter(ImageFilter.GaussianBlur(width / 1500))
    base = Image.blend(base, Image.effect_noise((width, height), 40).convert("RGB"), 0.08)
    out = io.BytesIO()
    base.save(out, "JPEG", quality=90)
    return out.getvalue()


def one_core(source: bytes, spec: RenderSpec, seconds: float) -> dict[str, float]:
    """Render in a loop in this process for ``seconds``: throughput, latency, CPU per render."""
    latencies: list[float] = []
    cpu: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or not latencies:
        t0 = time.perf_counter()
        rendered = render_variant(source, spec)
        latencies.append(time.perf_counter() - t0)
        cpu.append(rendered.cpu_seconds)
    return {
        "renders_per_s": len(latencies) / sum(latencies),
        "median_ms": statistics.median(latencies) * 1000,
        "cpu_ms": statistics.median(cpu) * 1000,
        "renders": len(latencies),
        "output_bytes": len(rendered.body),
    }


async def all_cores(pool: RenderPool, source: bytes, spec: RenderSpec, seconds: float) -> float:
    """Renders/s through the pool with two renders per worker in flight for ``seconds``."""
    done = 0
    deadline = time.perf_counter() + seconds

    async def lane() -> None:
        nonlocal done
        while time.perf_counter() < deadline:
            await pool.render(source, spec)
            done += 1

    started = time.perf_counter()
    await asyncio.gather(*(lane() for _ in range(2 * max(1, pool.workers))))
    return done / (time.perf_counter() - started)


def pillow_alone_cpu_ms(source: bytes, seconds: float) -> float:
    """Median CPU ms of the reference the issue measured: draft + LANCZOS to 600 wide + JPEG q85."""
    cpu: list[float] = []
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline or not cpu:
        started = time.process_time()
        image = Image.open(io.BytesIO(source))
        size = (600, round(600 * image.height / image.width))
        image.draft("RGB", size)
        image.resize(size, Image.Resampling.LANCZOS).save(io.BytesIO(), "JPEG", quality=85)
        cpu.append(time.process_time() - started)
    return statistics.median(cpu) * 1000


def peak_rss_mb(pool: RenderPool) -> dict[str, float]:
    """Peak resident memory of this process (which runs the one-core loop) and of the largest
    render worker. Workers are children of the forkserver, not of this process, so
    RUSAGE_CHILDREN never sees them: their own high-water mark (/proc VmHWM) is read instead."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    workers = [_vm_hwm_kb(pid) / 1024 for pid in pool.worker_pids()]
    return {"bench_process": round(own, 1), "largest_worker": round(max(workers, default=0.0), 1)}


def _vm_hwm_kb(pid: int) -> float:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return float(line.split()[1])
    except OSError:
        pass
    return 0.0


def run(args: argparse.Namespace) -> int:
    started = time.perf_counter()
    # Drawing the sources takes ~300 MB; a throwaway process keeps that out of our peak RSS.
    with ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("forkserver")) as painter:
        jobs = {
            key: painter.submit(synthetic_photo, w, h, args.seed) for key, (w, h) in SOURCES.items()
        }
        sources = {key: job.result() for key, job in jobs.items()}
    pool = RenderPool(args.workers)
    try:
        pool.wait_ready()
        rows = asyncio.run(_measure_all(pool, sources, args.seconds))
        rss = peak_rss_mb(pool)
    finally:
        pool.close()
    report = _report(args, sources, rows, rss, time.perf_counter() - started)
    _print_table(report)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(report, indent=2, ensure_ascii=False) + "\n")
    print(f"\nwritten to {args.output} in {report['wall_seconds']:.0f} s")
    return 0


async def _measure_all(
    pool: RenderPool, sources: dict[str, bytes], seconds: float
) -> list[dict[str, Any]]:
    rows = []
    for op in OPERATIONS:
        source = sources[op.source]
        # The reference right before and after, so it shares the load the figure saw; CPU
        # time, because a busy neighbour stretches wall time far more than CPU time.
        before = pillow_alone_cpu_ms(source, seconds / 4)
        single = one_core(source, op.spec, seconds)
        single["pillow_alone_cpu_ms"] = (before + pillow_alone_cpu_ms(source, seconds / 4)) / 2
        adjusted = (
            ISSUE_BASELINE_PER_S[op.source] * single["pillow_alone_cpu_ms"] / single["cpu_ms"]
        )
        rendered = render_variant(source, op.spec)
        rows.append(
            {
                "operation": op.name,
                "source": op.source,
                "output": f"{rendered.width}x{rendered.height} {op.spec.format}",
                "spec": asdict(op.spec),
                "one_core": single,
                "load_adjusted_one_core_per_s": adjusted,
                "all_cores_renders_per_s": await all_cores(pool, source, op.spec, seconds),
                "target_one_core_per_s": op.target_per_s,
                "meets_target": _meets(single["renders_per_s"], op.target_per_s),
                "meets_target_load_adjusted": _meets(adjusted, op.target_per_s),
                "peak_rss_mb_so_far": peak_rss_mb(pool),
            }
        )
    return rows


def _meets(rate: float, target: float | None) -> bool | None:
    return None if target is None else rate >= target


def _report(
    args: argparse.Namespace,
    sources: dict[str, bytes],
    rows: list[dict[str, Any]],
    rss: dict[str, float],
    wall: float,
) -> dict[str, Any]:
    return {
        "machine": {
            "cpu_count": os.cpu_count(),
            "load_average_1m": round(os.getloadavg()[0], 2),
            "pillow": PIL.__version__,
            "libjpeg_turbo": bool(features.check_feature("libjpeg_turbo")),
        },
        "seconds_per_measurement": args.seconds,
        "workers": args.workers,
        "seed": args.seed,
        "source_bytes": {key: len(data) for key, data in sources.items()},
        "pillow_alone_in_issue_per_s": ISSUE_BASELINE_PER_S,
        "operations": rows,
        "peak_rss_mb": rss,
        "wall_seconds": round(wall, 1),
    }


def _print_table(report: dict[str, Any]) -> None:
    machine = report["machine"]
    print(
        f"cdnsim bench render — Pillow {machine['pillow']}, {report['workers']} workers, "
        f"{report['seconds_per_measurement']} s per figure, load average {machine['load_average_1m']}"
    )
    header = (
        f"{'operation':<23} {'source':<9} {'output':<13} {'1 core/s':>8} {'adjusted':>8} "
        f"{'target':>6} {'all/s':>6} {'median ms':>9} {'cpu ms':>6} {'pillow cpu ms':>13}"
    )
    print(header)
    print("-" * len(header))
    for row in report["operations"]:
        single, target = row["one_core"], row["target_one_core_per_s"]
        verdict = {None: "", True: " ok", False: " LOW"}[row["meets_target_load_adjusted"]]
        print(
            f"{row['operation']:<23} {row['source']:<9} {row['output']:<13} "
            f"{single['renders_per_s']:>8.1f} {row['load_adjusted_one_core_per_s']:>8.1f} "
            f"{('≥' + format(target, 'g')) if target else '':>6} {row['all_cores_renders_per_s']:>6.1f} "
            f"{single['median_ms']:>9.1f} {single['cpu_ms']:>6.1f} {single['pillow_alone_cpu_ms']:>13.1f}{verdict}"
        )
    print(
        "\n'adjusted' estimates 1 core/s on an idle machine: Pillow alone in the issue × "
        "(pillow cpu ms / cpu ms). 'pillow cpu ms' is that reference (draft + LANCZOS to 600"
        " wide + JPEG q85, same source) measured just before and after; issue: "
        + ", ".join(f"{k} {v:g}/s" for k, v in report["pillow_alone_in_issue_per_s"].items())
        + ". Targets are judged on 'adjusted', so that other load on the cores cancels out."
    )
    rss = report["peak_rss_mb"]
    print(
        f"peak RSS: bench process (one-core loop) {rss['bench_process']} MB, "
        f"largest render worker {rss['largest_worker']} MB"
    )
