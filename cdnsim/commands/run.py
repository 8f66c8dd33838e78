"""``cdnsim run`` (what ``make run`` does): the whole conformance suite on the embedded
default — an in-process stack on a manual clock — with a progress display, a summary,
and the JSON and HTML reports; exit 0 only if every scenario passes."""

from __future__ import annotations

import argparse
from pathlib import Path

from cdnsim.commands import scenario


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--seed", type=int, default=7, help="seed of the stack (default 7)")
    parser.add_argument(
        "--report-dir",
        type=Path,
        default=Path("reports"),
        help="where the reports go (default reports/)",
    )


def run(args: argparse.Namespace) -> int:
    suite_args = argparse.Namespace(
        action="run",
        names=[],
        all=True,
        target=None,
        reset=False,
        seed=args.seed,
        json=None,
        report_dir=args.report_dir,
        bug=[],
    )
    print(
        "cdnsim: running every conformance scenario on an in-process stack (embedded moto, 3 POPs, "
        "a shield, the aggregator, a manual clock)",
        flush=True,
    )
    code = scenario.run(suite_args)
    print(
        f"open {(args.report_dir / 'scenarios.html').resolve()} in a browser for the timelines",
        flush=True,
    )
    return code
