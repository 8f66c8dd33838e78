"""``cdnsim bench KIND``: benchmarks that print figures and write one JSON file.

Each kind is a module ``cdnsim.bench.<kind>`` with ``add_arguments`` and ``run``.
"""

from __future__ import annotations

import argparse
import importlib
import json
from pathlib import Path
from typing import Any

KINDS: dict[str, str] = {
    "render": "Pillow pipeline: renders/s on one core and on all cores",
    "cold": "cold renders through HTTP (render and store), 1920×1080 → 600×338",
    "hit": "edge hit path: hits/s and latency under wrk",
    "coalescing": "N concurrent cold requests for one variant: upstream requests and renders",
    "fanout": "time and CPU to apply a 1,000-path invalidation on 3 POPs of 100,000 objects",
    "events": "the event log: memory held per event (tracemalloc vs its estimate), CPU per append",
}
ALL = "all"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, help_text in KINDS.items():
        bench = sub.add_parser(kind, help=help_text, description=help_text)
        bench.add_argument(
            "--output", default=f"reports/bench-{kind}.json", help="where to write the JSON figures"
        )
        try:
            importlib.import_module(f"cdnsim.bench.{kind}").add_arguments(bench)
        except ModuleNotFoundError:
            bench.set_defaults(unavailable=True)
    every = sub.add_parser(ALL, help="every kind with its defaults, into one JSON file")
    every.add_argument("--output", default="reports/bench-all.json")
    every.add_argument(
        "--skip", action="append", default=[], choices=tuple(KINDS), help="leave a kind out"
    )


def run(args: argparse.Namespace) -> int:
    if args.kind == ALL:
        return run_all(args)
    if getattr(args, "unavailable", False):
        print(f"bench {args.kind} is not available in this build")
        return 2
    return int(importlib.import_module(f"cdnsim.bench.{args.kind}").run(args) or 0)


def run_all(args: argparse.Namespace) -> int:
    """Each kind in turn (its own defaults, its own JSON beside the combined one)."""
    combined: dict[str, Any] = {}
    worst = 0
    output = Path(args.output)
    for kind in KINDS:
        if kind in args.skip:
            continue
        parser = argparse.ArgumentParser(prog=f"cdnsim bench {kind}")
        module = importlib.import_module(f"cdnsim.bench.{kind}")
        module.add_arguments(parser)
        kind_args = parser.parse_args([])
        kind_args.kind, kind_args.output = kind, str(output.with_name(f"{output.stem}-{kind}.json"))
        print(f"== bench {kind}", flush=True)
        code = int(module.run(kind_args) or 0)
        worst = max(worst, code)
        combined[kind] = json.loads(Path(kind_args.output).read_text(encoding="utf-8"))
        combined[kind]["exit_code"] = code
    output.parent.mkdir(parents=True, exist_ok=True)
    output.write_text(json.dumps(combined, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    print(f"every benchmark: {output}")
    return worst
