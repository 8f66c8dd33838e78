"""``cdnsim scenario list | run NAME… | run --all``: the conformance scenarios, against a
running stack (``--target`` ready file) or an in-process stack on a manual clock."""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

from cdnsim.scenario_stack import run_in_process
from scenarios.report.console import progress_line, summary_table
from scenarios.report.files import write_reports
from scenarios.runner import catalogue, run_suite, select
from scenarios.target import Target, TargetError


def add_arguments(parser: argparse.ArgumentParser) -> None:
    sub = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
    sub.add_parser("list", help="the scenarios, by group")
    run = sub.add_parser("run", help="run scenarios (names, group names, or --all)")
    run.add_argument("names", nargs="*", metavar="NAME", help="scenario or group names")
    run.add_argument("--all", action="store_true", help="the whole suite")
    run.add_argument(
        "--target",
        type=Path,
        help="a ready file (cdnsim up --ready-file); default: an in-process stack",
    )
    run.add_argument(
        "--seed",
        type=int,
        default=7,
        help="seed of the in-process stack and of every reset (default 7)",
    )
    run.add_argument("--json", type=Path, help="also write the suite's JSON here")
    run.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        help="where scenarios.json and scenarios.html go (default reports/)",
    )
    run.add_argument(
        "--bug",
        action="append",
        default=[],
        metavar="NAME",
        help="start the in-process stack with this bug switch on (e.g. keep-s3-variants): "
        "the bug's scenario then fails its fixed check (a fix-… switch is on from the start)",
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list()
    try:
        modules = select(args.names, everything=args.all)
    except KeyError as exc:
        print(
            f"cdnsim scenario: no scenario or group {exc}; see `cdnsim scenario list`",
            file=sys.stderr,
        )
        return 2
    if not modules:
        print("cdnsim scenario run: name scenarios or groups, or --all", file=sys.stderr)
        return 2
    if args.target:
        try:
            target = Target.from_file(args.target)
        except TargetError as exc:
            print(f"cdnsim scenario: {exc}", file=sys.stderr)
            return 2
        suite = asyncio.run(run_suite(target, modules, seed=args.seed, progress=_progress))
    else:
        suite = asyncio.run(
            run_in_process(modules, seed=args.seed, bugs=args.bug, progress=_progress)
        )
    return _finish(suite, args)


def _list() -> int:
    for module in catalogue():
        print(f"{module.GROUP:<12} {module.NAME:<34} {module.TITLE}")
    return 0


def _progress(index: int, total: int, name: str, result: dict[str, Any] | None) -> None:
    end = "\n" if result is not None else "\r"
    print(progress_line(index + 1, total, name, result), end=end, flush=True, file=sys.stderr)


def _finish(suite: dict[str, Any], args: argparse.Namespace) -> int:
    print(summary_table(suite))
    paths = write_reports(suite, args.report_dir)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(suite, indent=2, sort_keys=True))
        paths["json (--json)"] = args.json
    for kind, path in paths.items():
        print(f"report {kind}: {path}")
    failed = suite["summary"]["fail"] + suite["summary"]["error"]
    return 1 if failed else 0
