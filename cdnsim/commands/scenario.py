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
from cdnsim.switches import BUG_NAMES
from cdnsim.usage import UsageError
from scenarios.report.console import progress_line, summary_table
from scenarios.report.files import write_reports
from scenarios.runner import catalogue, run_suite, select
from scenarios.target import FOR_SCENARIOS, Target, TargetError


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
        "--reset",
        action="store_true",
        help="let the scenarios reset the --target stack before each one (its packs, "
        "configs, caches, clock); not needed for a stack started with cdnsim up --for-scenarios",
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
        "the bug's scenario then fails its fixed check",
    )


def run(args: argparse.Namespace) -> int:
    if args.action == "list":
        return _list()
    try:
        modules = select(args.names, everything=args.all)
    except KeyError as exc:
        raise UsageError(f"no scenario or group {exc}; see `cdnsim scenario list`") from None
    if not modules:
        raise UsageError("name scenarios or groups, or --all")
    _check_bugs(args)
    if args.target:
        try:
            target = Target.from_file(args.target)
        except TargetError as exc:
            raise UsageError(str(exc)) from None
        if refusal := reset_refusal(target, reset=args.reset, path=args.target):
            raise UsageError(refusal)
        suite = asyncio.run(run_suite(target, modules, seed=args.seed, progress=_progress))
    else:
        suite = asyncio.run(
            run_in_process(modules, seed=args.seed, bugs=args.bug, progress=_progress)
        )
    return _finish(suite, args)


def reset_refusal(target: Target, *, reset: bool, path: Path) -> str | None:
    """Why the scenarios may not run against ``target``, or None. They reset a stack that
    has a control API before each scenario: that wipes whatever someone put there, so it
    takes consent (``--reset``) or a stack started for it (``cdnsim up --for-scenarios``)."""
    if reset or target.control is None or target.raw.get(FOR_SCENARIOS):
        return None
    return (
        f"the scenarios reset the stack of {path} before each one (its packs, configs, "
        "caches and clock): add --reset, or start it with cdnsim up --for-scenarios"
    )


def _check_bugs(args: argparse.Namespace) -> None:
    if not args.bug:
        return
    if args.target:
        raise UsageError(
            "--bug starts the in-process stack with a bug on; a --target stack's bugs are "
            "set with PUT /_sim/bugs or its own --bug-… flags"
        )
    if unknown := [name for name in args.bug if name not in BUG_NAMES]:
        raise UsageError(f"unknown bug {unknown[0]!r}; known: {', '.join(BUG_NAMES)}")


def _list() -> int:
    for module in catalogue():
        print(f"{module.GROUP:<12} {module.NAME:<34} {module.TITLE}")
    return 0


def _progress(index: int, total: int, name: str, result: dict[str, Any] | None) -> None:
    """On a terminal, the running scenario's line is overwritten by its result; in a file
    or a pipe only the result is written (a carriage return there doubled every line)."""
    terminal = sys.stderr.isatty()
    if result is None and not terminal:
        return
    end = "\n" if result is not None else "\r"
    print(
        progress_line(index + 1, total, name, result, colour=terminal),
        end=end,
        flush=True,
        file=sys.stderr,
    )


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
