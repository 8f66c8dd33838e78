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
from collections.abc import Sequence

from cdnsim.usage import Parser, UsageError, listen_error, print_error

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
    "ready-get": (
        "cdnsim.commands.ready_get",
        "print one value of a stack's ready file (waits for the file), for shell sessions",
    ),
    "sample-image": (
        "cdnsim.commands.sample_image",
        "write a photo-like sample image (JPEG, PNG or WebP) to upload",
    ),
    "bench": ("cdnsim.commands.bench", "benchmarks that print figures and write JSON"),
    "load": (
        "cdnsim.commands.load",
        "Locust load tests against a stack, with a report joining both sides",
    ),
}


DESCRIPTION = (
    "cdnsim: a local, deterministic image CDN (origin, edge POPs and shield, invalidation "
    "aggregator, one clock). `cdnsim COMMAND --help` describes each command."
)
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR")


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The whole command line. Only the command named in ``argv`` gets its arguments (its
    module imported): the others are listed by name and help. Without ``argv``, all."""
    parser = Parser(prog="cdnsim", description=DESCRIPTION)
    parser.add_argument(
        "--log-level",
        default="WARNING",
        type=str.upper,
        choices=LOG_LEVELS,
        help="DEBUG, INFO, WARNING (default), ERROR",
    )
    sub = parser.add_subparsers(
        dest="command", required=True, metavar="COMMAND", parser_class=Parser
    )
    wanted = None if argv is None else _command_in(argv)
    for name, (module_name, help_text) in COMMANDS.items():
        command = sub.add_parser(name, help=help_text, description=help_text)
        command.set_defaults(module=module_name)
        if wanted in (None, name):
            _module(module_name).add_arguments(command)
    return parser


def _command_in(argv: Sequence[str]) -> str | None:
    """The command ``argv`` names (the first word that is not an option or its value)."""
    words = iter(argv)
    for word in words:
        if word == "--log-level":
            next(words, None)
        elif not word.startswith("-"):
            return word
    return None


def _module(name: str):  # type: ignore[no-untyped-def]
    return importlib.import_module(name)


def _mistake(exc: Exception) -> str | None:
    """One line for an error that comes from what the user gave, else None (a bug: the
    traceback is worth having). Errors of configuration raised below the command line say
    so with a ``configuration_error`` attribute (importing their classes here would load
    boto3 into every command)."""
    if isinstance(exc, OSError):
        return listen_error(exc)
    return str(exc) if getattr(exc, "configuration_error", False) else None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    args = build_parser(argv).parse_args(argv)
    logging.basicConfig(
        level=args.log_level, format="%(asctime)s %(name)s %(levelname)s %(message)s"
    )
    raise_open_files_limit()
    prog = " ".join(["cdnsim", args.command, *filter(None, [getattr(args, "action", None)])])
    try:
        return int(_module(args.module).run(args) or 0)
    except UsageError as exc:
        return print_error(prog, str(exc))
    except Exception as exc:
        if (line := _mistake(exc)) is None:
            raise
        return print_error(prog, line)
    except KeyboardInterrupt:
        return 130  # interrupted before a command installed its own signal handling


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
