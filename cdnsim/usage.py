"""Command-line mistakes: one clear line on stderr and exit status 2, never a traceback.

- :class:`Parser` reports a parse error as the line ``cdnsim up: error: …`` followed by
  the usage of the command that was being parsed (not the top-level one), kept to one
  line: the usage of ``up`` spans thirty lines and buried the error.
- The argument types below refuse bad values while parsing, naming the flag.
- Commands raise :class:`UsageError` for what only shows later (a file that cannot be
  read, a ready file that is not one); ``cdnsim.cli.main`` prints it as one line.
- :func:`listen_error` turns "address already in use" (and its kin) into one line.
"""

from __future__ import annotations

import argparse
import errno
import ipaddress
import re
import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn
from urllib.parse import urlsplit

from common.clock import Clock
from common.serving import bind_error

USAGE_WIDTH = 100


class UsageError(Exception):
    """A mistake on the command line, reported as one line and exit status 2."""


class Parser(argparse.ArgumentParser):
    """argparse with cdnsim's error shape; subcommands report their own unknown flags."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n{self.short_usage()}\n")

    def short_usage(self) -> str:
        """argparse's usage when it fits one line, else ``usage: PROG [options] ARGS``."""
        usage = " ".join(self.format_usage().split())
        if len(usage) <= USAGE_WIDTH:
            return usage
        positionals = " ".join(_metavar(a) for a in self._actions if not a.option_strings)
        return (
            f"usage: {self.prog} [options] {positionals}".rstrip()
            + f"   ({self.prog} --help lists them)"
        )

    def parse_known_args(  # type: ignore[override]
        self,
        args: list[str] | None = None,
        namespace: argparse.Namespace | None = None,
    ) -> tuple[argparse.Namespace, list[str]]:
        parsed, extras = super().parse_known_args(args, namespace)
        if extras and self._is_subcommand():
            # argparse hands a subcommand's unknown flags up to the top-level parser, which
            # then blames itself and prints its own usage: report them here instead.
            self.error(f"unrecognized arguments: {' '.join(extras)}")
        return parsed, extras

    def _is_subcommand(self) -> bool:
        return " " in self.prog


def _metavar(action: argparse.Action) -> str:
    if isinstance(action, argparse._SubParsersAction):
        return f"{action.metavar or 'COMMAND'} ..."
    name = action.metavar if isinstance(action.metavar, str) else action.dest.upper()
    if action.nargs == "*":
        return f"[{name} ...]"
    if action.nargs == "?":
        return f"[{name}]"
    if action.nargs == "+":
        return f"{name} [{name} ...]"
    return name


def fail(message: str) -> NoReturn:
    raise UsageError(message)


# -- argument types: each returns the value or raises ArgumentTypeError ------------------
def port(text: str) -> int:
    """A TCP port, 0 meaning any free one."""
    value = _integer(text, "a port")
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"a port is 0 to 65535 (0: any free port), not {text}")
    return value


def at_least(minimum: int, maximum: int | None = None) -> Callable[[str], int]:
    """An integer ≥ ``minimum`` (and ≤ ``maximum``)."""

    def check(text: str) -> int:
        value = _integer(text, "a whole number")
        if value < minimum or (maximum is not None and value > maximum):
            bounds = f"{minimum} to {maximum}" if maximum is not None else f"at least {minimum}"
            raise argparse.ArgumentTypeError(f"must be {bounds}, not {text}")
        return value

    return check


def positive_float(text: str) -> float:
    value = _number(text)
    if not value > 0:
        raise argparse.ArgumentTypeError(f"must be more than 0, not {text}")
    return value


def non_negative_float(text: str) -> float:
    value = _number(text)
    if not value >= 0:
        raise argparse.ArgumentTypeError(f"must be 0 or more, not {text}")
    return value


def clock_spec(text: str) -> str:
    """``real``, ``scaled:N[@ANCHOR]`` or ``manual[@START]``, checked and kept as text."""
    try:
        Clock.parse(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(str(exc)) from None
    return text


def http_url(text: str) -> str:
    parts = urlsplit(text)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, not {text!r}")
    try:
        parts.port  # noqa: B018 (raises on a bad port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"bad port in {text!r}") from None
    return text.rstrip("/")


def listen_host(text: str) -> str:
    """An address or name this machine can listen on (resolved now, to fail early)."""
    try:
        socket.getaddrinfo(text, None)
    except (OSError, UnicodeError):
        raise argparse.ArgumentTypeError(f"cannot resolve {text!r} to an address") from None
    return text


def cidr(text: str) -> str:
    try:
        ipaddress.ip_network(text, strict=False)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a network such as 10.0.0.0/8, not {text!r}")
    return text


def readable_file(text: str) -> Path:
    path = Path(text)
    if not path.is_file():
        raise argparse.ArgumentTypeError(f"no such file: {text}")
    return path


def new_file(text: str) -> Path:
    """A file to be written: its directory must exist."""
    path = Path(text)
    if not path.parent.is_dir():
        raise argparse.ArgumentTypeError(f"no such directory: {path.parent}")
    return path


def directory(text: str) -> Path:
    """A directory to use, created (with its parents) if it does not exist."""
    path = Path(text)
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise argparse.ArgumentTypeError(f"cannot use {text} as a directory: {exc.strerror}")
    return path


def _integer(text: str, what: str) -> int:
    try:
        return int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected {what}, not {text!r}") from None


def _number(text: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number, not {text!r}") from None


# -- errors that only show at run time -----------------------------------------------------
_BIND = re.compile(r"bind on address \('([^']*)', (\d+)\)")
_LISTEN_ERRORS = {errno.EADDRINUSE, errno.EADDRNOTAVAIL, errno.EACCES}


def listen_error(exc: OSError) -> str | None:
    """One line for a server that could not listen, or None for any other OSError."""
    if exc.errno not in _LISTEN_ERRORS or "bind" not in str(exc):
        return None
    match = _BIND.search(str(exc))
    where = f"{match.group(1)}:{match.group(2)}" if match else "the address"
    if exc.errno == errno.EADDRINUSE:
        return (
            f"cannot listen on {where}: the port is already in use "
            "(stop what holds it, or choose another port; 0 picks a free one)"
        )
    reason = "not an address of this machine" if exc.errno == errno.EADDRNOTAVAIL else "denied"
    return f"cannot listen on {where}: {reason}"


def check_can_listen(host: str, port: int) -> None:
    """Fail now, before anything starts, when ``host:port`` is taken (the server's own bind
    still reports it if another process takes it in between)."""
    if port == 0:
        return
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as aiohttp binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise UsageError(
                listen_error(bind_error(exc, host, port)) or f"cannot listen on {host}:{port}"
            ) from None


def print_error(prog: str, message: str) -> int:
    """Print a mistake as ``PROG: error: MESSAGE`` (argparse's shape); the exit status 2."""
    print(f"{prog}: error: {message}", file=sys.stderr, flush=True)
    return 2
