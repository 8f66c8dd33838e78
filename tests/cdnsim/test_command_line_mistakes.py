"""Every command-line mistake is one clear line on stderr and exit status 2, never a
traceback: the real ``cdnsim`` commands, each in its own process.

Mistakes found while parsing print that line and then the usage of the command being
parsed (``cdnsim up``'s, not the top-level one), kept to one line; mistakes found later
(a port in use, a file that is not what it should be) print the line alone."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest

from cdnsim.cli import main

PARSE_MISTAKES: list[tuple[list[str], str]] = [
    (["up", "--demoo"], "cdnsim up: error: unrecognized arguments: --demoo"),
    (["up", "--clock", "fast"], "cdnsim up: error: argument --clock: clock must be real"),
    (["up", "--pops", "0"], "cdnsim up: error: argument --pops: must be 1 to 50"),
    (["up", "--port-base", "70000"], "argument --port-base: a port is 0 to 65535"),
    (["up", "--invalidation-delay", "soon"], "argument --invalidation-delay: expected fixed:S"),
    (["up", "--aggregator-interval", "0"], "argument --aggregator-interval: must be more than 0"),
    (["up", "--trusted-network", "lan"], "argument --trusted-network: expected a network"),
    (["up", "--ready-file", "/no/such/dir/stack.json"], "no such directory: /no/such/dir"),
    (["up", "--host", "0.0.0.0"], "unrecognized arguments: --host"),  # up listens on loopback
    (["origin", "--port", "70000"], "cdnsim origin: error: argument --port"),
    (["origin", "--tls-key", "/no/key.pem"], "argument --tls-key: no such file: /no/key.pem"),
    (["edge", "--origin", "localhost:9"], "argument --origin: expected an http://"),
    (["edge", "--origin", "http://127.0.0.1:9", "--workers", "0"], "argument --workers"),
    (["edge", "--akamai-property", "x,prefix=img"], "property x: path_prefix like /akamai"),
    (["edge", "--imgix-api-port", "70000"], "argument --imgix-api-port: a port is 0 to 65535"),
    (["scenario", "run", "--frob"], "cdnsim scenario run: error: unrecognized arguments"),
    (["load", "--users", "0"], "cdnsim load: error: argument --users: must be at least 1"),
    (["load", "--duration", "soon"], "argument --duration: a duration is like 60"),
    (["bench", "render", "--workers", "0"], "cdnsim bench render: error: argument --workers"),
    (["token", "--ttl", "-5"], "cdnsim token: error: argument --ttl: must be more than 0"),
    (["sample-image", "photo.gif"], "argument PATH: name the file .jpg, .png or .webp"),
    (["--log-level", "loud", "tour"], "cdnsim: error: argument --log-level: invalid choice"),
    (["token", "--secret", ""], "cdnsim token: error: argument --secret: must not be empty"),
    (["token", "--tenant", "Acme!"], "cdnsim token: error: argument --tenant: a tenant is '*'"),
]


@pytest.fixture(scope="module")
def held_port() -> Iterator[int]:
    """A loopback port something else already listens on."""
    with socket.socket() as holder:
        holder.bind(("127.0.0.1", 0))
        holder.listen()
        yield holder.getsockname()[1]


@pytest.fixture(scope="module")
def files(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("mistakes")
    documents = {
        "edge-unknown-key": {"origin": "http://127.0.0.1:9"},
        "edge-bad-port": {
            "vimond_origin": "http://127.0.0.1:9",
            "pops": [{"id": "a", "port": "x"}],
        },
        "ready-not-a-stack": {"origin": "http://127.0.0.1:9"},
    }
    paths = {}
    for name, document in documents.items():
        paths[name] = root / f"{name}.json"
        paths[name].write_text(json.dumps(document))
    return paths


def _run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "cdnsim.cli", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
        stdin=subprocess.DEVNULL,
    )


def _run_all(cases: list[list[str]]) -> list[subprocess.CompletedProcess[str]]:
    with ThreadPoolExecutor(3) as pool:  # separate processes; the machine has few cores
        return list(pool.map(_run, cases))


# As real processes: one of each shape (the parser is one mechanism for every command).
AS_PROCESSES = {0, 1, 9, 15, 20, 21}


def _check_parse_mistake(args: list[str], expected: str, code: object, stderr: str) -> None:
    lines = stderr.splitlines()
    assert code == 2, (args, stderr)
    assert len(lines) == 2 and expected in lines[0], (args, stderr)
    command = " ".join(["cdnsim", *[a for a in args[:2] if a in _COMMAND_WORDS]])
    assert lines[1].startswith(f"usage: {command} "), (args, lines[1])


def test_a_parse_mistake_is_one_line_then_the_commands_own_usage() -> None:
    chosen = [PARSE_MISTAKES[i] for i in sorted(AS_PROCESSES)]
    done = _run_all([args for args, _ in chosen])
    for (args, expected), result in zip(chosen, done, strict=True):
        _check_parse_mistake(args, expected, result.returncode, result.stderr)


@pytest.mark.parametrize(("args", "expected"), PARSE_MISTAKES)
def test_every_parse_mistake_in_process(
    args: list[str], expected: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as stopped:
        main(args)
    _check_parse_mistake(args, expected, stopped.value.code, capsys.readouterr().err)


_COMMAND_WORDS = {"up", "origin", "edge", "scenario", "run", "load", "bench", "render", "token"}
_COMMAND_WORDS |= {"sample-image"}


def test_a_mistake_found_later_is_one_line(held_port: int, files: dict[str, Path]) -> None:
    not_pem = str(files["ready-not-a-stack"])  # a JSON file given where a PEM one belongs
    cases: list[tuple[list[str], str]] = [
        (["origin", "--port", str(held_port), "--render-workers", "0"], "already in use"),
        (["up", "--port-base", str(held_port), "--render-workers", "0"], "already in use"),
        (["edge", "--origin", "http://127.0.0.1:9", "--port", str(held_port)], "already in use"),
        (["edge", "--config", str(files["edge-unknown-key"])], "unknown key 'origin'"),
        (["edge", "--config", str(files["edge-bad-port"])], "pops[0].port: expected a whole"),
        (["scenario", "run", "--all", "--bug", "nosuch"], "unknown bug 'nosuch'"),
        (["scenario", "run", "--all", "--target", "/no/stack.json"], "cannot read ready file"),
        (["load", "--target", "/no/stack.json"], "--target: cannot read ready file"),
        (["load", "--target", str(files["ready-not-a-stack"])], "--target: the ready file lacks"),
        (["aggregator"], "give --endpoint-url"),
        (["edge", "--origin", "http://127.0.0.1:9", "--imgix-deploy-seconds", "5"], "add --vendor"),
        (["ready-get", "origin", "--ready-file", "/no/stack.json", "--wait", "0"], "did not"),
        (["origin", "--tls-cert", not_pem, "--tls-key", not_pem], "not a certificate in PEM"),
        (["origin", "--jwt-public-key-file", not_pem], "not an RSA public key in PEM form"),
    ]
    done = _run_all([args for args, _ in cases])
    for (args, expected), result in zip(cases, done, strict=True):
        assert result.returncode == 2, (args, result.stderr)
        assert result.stderr.count("\n") == 1 and expected in result.stderr, (args, result.stderr)
        assert result.stderr.startswith(f"cdnsim {args[0]}"), (args, result.stderr)
    assert f"127.0.0.1:{held_port}" in done[0].stderr
