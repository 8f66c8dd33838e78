"""``cdnsim``: one entry point, one module per subcommand.

Each module in ``COMMANDS`` exposes ``add_arguments(parser)`` and ``run(args) -> int``;
modules are imported only when their command runs, so that a slow or heavy import
(Pillow pools, locust) costs nothing elsewhere.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import logging
import resource
import sys

COMMANDS: dict[str, tuple[str, str]] = {
    "run": (
        "cdnsim.commands.run",
        "the main job: every conformance scenario on the embedded stack, with reports",
    ),
    "tour": ("cdnsim.commands.tour", "call every origin operation once against an embedded origin"),
    "up": (
        "cdnsim.commands.up",
        "the whole stack in one process: storage, origin, POPs, shield, aggregator",
    ),
    "origin": ("cdnsim.commands.origin", "run the origin (Vimond Image Service) alone"),
    "edge": ("cdnsim.commands.edge", "run edge POPs (and a shield) in front of an origin"),
    "aggregator": ("cdnsim.commands.aggregator", "run the invalidation aggregator alone"),
    "scenario": (
        "cdnsim.commands.scenario",
        "conformance scenarios: propagation, fallback, rebuild cost, stale-image bugs",
    ),
    "token": ("cdnsim.commands.token", "print a development admin token"),
    "bench": ("cdnsim.commands.bench", "benchmarks that print figures and write JSON"),
    "load": (
        "cdnsim.commands.load",
        "Locust load tests against a stack, with a report joining both sides",
    ),
}


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="cdnsim", description=__doc__.splitlines()[0])
    parser.add_argument(
        "--log-level", default="WARNING", help="DEBUG, INFO, WARNING (default), ERROR"
    )
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(module=module_name)
        _module(module_name).add_arguments(command)
    return parser


def _module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(name)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    logging.basicConfig(
        level=args.log_level.upper(), format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    raise_open_files_limit()
    return int(_module(args.module).run(args) or 0)


def raise_open_files_limit() -> int:
    """Raise the soft limit on open files to the hard one, as servers do at start: the
    connection budget of every server (common.connections) is sized from it, and many
    distributions default to 1024."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    target = hard if hard != resource.RLIM_INFINITY else 1 << 16
    if soft != resource.RLIM_INFINITY and soft < target:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
    return resource.getrlimit(resource.RLIMIT_NOFILE)[0]


if __name__ == "__main__":
    sys.exit(main())
