"""``cdnsim bench akamai``: what Image Manager's best image costs.

The renderer encodes each derivative in every candidate format the browser takes and keeps
the smallest (:mod:`vendors.akamai.best_image`). For two sources (the demo's 1600×900
graphic and a 1600×900 photo-like JPEG, both seeded) at two breakpoints under ``.auto``,
this measures the CPU time of one derivative (decode, policy, encode) encoded once in the
format a fixed preference would pick (WebP for Chrome, JPEG 2000 for Safari, JPEG
otherwise) against the best of the candidates, with the bytes each delivers. CPU time of
this thread, so a shared machine slows it less than it slows wall time.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path
from typing import Any

from cdnsim.bench.render import synthetic_photo
from cdnsim.demo import demo_image
from cdnsim.usage import at_least
from imaging.decoding import decode
from imaging.encoding import encode
from imaging.formats import producible
from vendors.akamai.best_image import best_encoding
from vendors.akamai.delivery import Browser, candidate_formats
from vendors.akamai.pipeline import RenderInputs, apply_policy
from vendors.akamai.policy_validation import AUTO, auto_policy
from vendors.akamai.renderer import MAX_SOURCE_PIXELS

BROWSERS: dict[Browser, str] = {"chrome": "webp", "safari": "jpeg2000", "generic": "jpeg"}
PRODUCIBLE = ("webp", "jpeg2000", "jpeg", "png")
WIDTHS = (320, 1024)
QUALITY = 85


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--repeat", type=at_least(1), default=10, help="derivatives per figure (mean)"
    )


def _derivative(source: bytes, width: int) -> Any:
    return apply_policy(
        decode(source, MAX_SOURCE_PIXELS), auto_policy(), width, RenderInputs({}, {})
    )


def _mean_ms(repeat: int, work: Any) -> tuple[float, Any]:
    times, result = [], None
    for _ in range(repeat):
        started = time.thread_time()
        result = work()
        times.append(time.thread_time() - started)
    return statistics.mean(times) * 1000, result


def measure(repeat: int) -> list[dict[str, Any]]:
    sources = {"demo graphic": demo_image((200, 40, 40), "pack-1"),
               "photo": synthetic_photo(1600, 900, seed=7)}  # fmt: skip
    rows = []
    for name, source in sources.items():
        for width in WIDTHS:
            for browser, fixed in BROWSERS.items():
                formats = candidate_formats({}, browser, (), PRODUCIBLE)

                def one(s: bytes = source, w: int = width, f: str = fixed) -> bytes:
                    return encode(_derivative(s, w), producible(f), QUALITY)

                def best(s: bytes = source, w: int = width, c: tuple[str, ...] = formats) -> Any:
                    return best_encoding(_derivative(s, w), c, QUALITY)

                one_ms, one_body = _mean_ms(repeat, one)
                best_ms, (fmt, body, sizes) = _mean_ms(repeat, best)
                rows.append({
                    "source": name, "width": width, "browser": browser, "policy": AUTO,
                    "fixed_format": fixed, "fixed_cpu_ms": round(one_ms, 1), "fixed_bytes": len(one_body),
                    "best_format": fmt, "best_cpu_ms": round(best_ms, 1), "best_bytes": len(body),
                    "candidates": sizes, "cpu_ratio": round(best_ms / one_ms, 2),
                })  # fmt: skip
    return rows


def run(args: argparse.Namespace) -> int:
    rows = measure(args.repeat)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(rows, indent=2) + "\n", encoding="utf-8")
    print(
        f"{'source':13} {'width':>5} {'browser':8} {'fixed pick':>22} {'best of candidates':>26}  CPU"
    )
    for r in rows:
        print(f"{r['source']:13} {r['width']:5} {r['browser']:8} "
              f"{r['fixed_format']:>8} {r['fixed_cpu_ms']:5.1f} ms {r['fixed_bytes']:7} B "
              f"{r['best_format']:>8} {r['best_cpu_ms']:5.1f} ms {r['best_bytes']:7} B  ×{r['cpu_ratio']:.2f}")  # fmt: skip
    print(f"JSON: {args.output}")
    return 0
