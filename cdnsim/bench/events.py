"""``cdnsim bench events``: what the event log costs per event, in memory and CPU.

For each shape of event the stack logs most (a POP's hit, an origin render), appends
``--events`` of them with fresh strings, as requests make them, and compares the memory
tracemalloc sees them hold with the log's own estimate (``common.events.estimated_size``,
which bounds the log). Then times ``append`` for hit events in a log at its bound, where
every append also drops the oldest event.
"""

from __future__ import annotations

import argparse
import gc
import json
import time
import tracemalloc
from collections.abc import Callable
from pathlib import Path
from typing import Any

from common.clock import Clock
from common.events import EventLog

UA = "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0"


def hit(i: int) -> tuple[str, str, dict[str, Any]]:
    return (
        "edge",
        "hit",
        {
            "pop": "pop-1",
            "uri": f"/api/v2/img/{i:024x}?location=thumb&width=320",
            "age": i % 86400,
            "user_agent": UA + str(i % 10),
        },
    )


def render(i: int) -> tuple[str, str, dict[str, Any]]:
    params = {"width": 320, "height": 180, "mode": "crop", "gravity": "center",
              "crop": None, "rounded_corners": 0, "format": "webp"}  # fmt: skip
    return "origin", "render", {
        "tenant": "demo", "pack": f"{i:024x}", "location": "thumb", "imageLocation": "main",
        "imageRegion": None, "params": params, "sourceBytes": 412_345 + i,
        "outputBytes": 12_345 + i, "cpuSeconds": 0.0123 + i * 1e-9,
        "variantKey": f"demo/{i:024x}/thumb/src=main,reg=-,w=320,h=180,mode=crop,fmt=webp",
    }  # fmt: skip


SHAPES: dict[str, Callable[[int], tuple[str, str, dict[str, Any]]]] = {
    "hit": hit,
    "render": render,
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--events", type=int, default=100_000, help="events per shape")


def measure_memory(
    shape: Callable[[int], tuple[str, str, dict[str, Any]]], n: int
) -> dict[str, float]:
    log = EventLog(Clock.manual(), max_bytes=1 << 40)
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for i in range(n):  # fresh strings per event, as requests make them
        component, kind, data = shape(i)
        log.append(component, kind, **data)
    del component, kind, data
    gc.collect()
    held = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    measured = held / n
    estimated = log.held_bytes / n
    return {"measured_bytes": round(measured, 1), "estimated_bytes": round(estimated, 1),
            "estimate_over_measured": round(estimated / measured, 3)}  # fmt: skip


def measure_append(n: int) -> dict[str, float]:
    """CPU per hit append in a log that is full (each append drops the oldest)."""
    log = EventLog(Clock.manual(), max_bytes=8 * 1024 * 1024)
    data = [hit(i)[2] for i in range(n)]
    for d in data:  # fill it to its bound first
        log.append("edge", "hit", **d)
    start = time.process_time()
    for d in data:
        log.append("edge", "hit", **d)
    cpu = time.process_time() - start
    return {"append_us": round(cpu / n * 1e6, 3), "dropped": log.dropped}


def run(args: argparse.Namespace) -> int:
    result: dict[str, Any] = {
        name: measure_memory(shape, args.events) for name, shape in SHAPES.items()
    }
    result["append_hit_full_log"] = measure_append(args.events)
    for name in SHAPES:
        r = result[name]
        print(f"{name}: {r['measured_bytes']:.0f} B held per event (tracemalloc), "
              f"estimate {r['estimated_bytes']:.0f} B ({r['estimate_over_measured']:.2f}×)")  # fmt: skip
    print(
        f"append of a hit event to a full log: {result['append_hit_full_log']['append_us']:.2f} µs CPU"
    )
    output = Path(args.output)
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    return 0
