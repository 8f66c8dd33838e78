"""``cdnsim bench KIND``: benchmarks that print figures and write one JSON file.

Each kind is a module ``cdnsim.bench.<kind>`` with ``add_arguments`` and ``run``.
"""

from __future__ import annotations

import argparse
import importlib

KINDS: dict[str, str] = {
    "render": "Pillow pipeline: renders/s on one core and on all cores",
    "hit": "edge hit path: hits/s and latency under wrk",
}


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="kind", required=True, metavar="KIND")
    for kind, help_text in KINDS.items():
        bench = sub.add_parser(kind, help=help_text, description=help_text)
        bench.add_argument("--output", default=f"reports/bench-{kind}.json", help="where to write the JSON figures")
        try:
            importlib.import_module(f"cdnsim.bench.{kind}").add_arguments(bench)
        except ModuleNotFoundError:
            bench.set_defaults(unavailable=True)


def run(args: argparse.Namespace) -> int:
    if getattr(args, "unavailable", False):
        print(f"bench {args.kind} is not available in this build")
        return 2
    return int(importlib.import_module(f"cdnsim.bench.{args.kind}").run(args) or 0)
