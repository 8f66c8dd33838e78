"""A POP's fast lane: a fresh hit that this process holds in memory, answered from the bytes
of the request, without aiohttp's request and response objects.

aiohttp's request and response machinery costs about 45 µs of an edge hit's 75; the rules
of a hit cost about 15 (measured in one process: ``Pop.serve`` and ``deliver`` for a memory
hit). The lane keeps every rule and skips the machinery, for the plainest request only: one
complete ``GET`` head over HTTP/1.1, an origin-form target, printable ASCII, one ``Host``,
no body, and none of the fields that ask for more than the stored representation as it is
(a range, a precondition, credentials, a connection option, a debug request). The POP then
answers it with :meth:`edge.pop.Pop.serve_held` and :func:`edge.delivery.deliver`, the same
rules and headers as on aiohttp's path; anything else (a miss, a Vary selection, a vendor
property, a stale entry) goes to aiohttp unchanged. The connection decides when the lane may
be asked (:class:`common.connection_protocols.LimitedRequestHandler`).
"""

from __future__ import annotations

import re
import time
from email.utils import formatdate
from http import HTTPStatus

from aiohttp.http import SERVER_SOFTWARE
from yarl import URL

from common.connection_protocols import FastLane
from edge.delivery import deliver
from edge.forwarding import as_distribution
from edge.outcome import Outcome, ViewerRequest
from edge.pop import Pop

# The request line and header lines the lane takes (anything else: aiohttp's parser).
_HEAD = re.compile(
    rb"GET (/[!$-~]*) HTTP/1\.1\r\n"  # origin-form target without '"' or '#'
    rb"((?:[!#$%&'*+.^_`|~0-9A-Za-z-]+:[\t -~]*\r\n)+)\r\n\Z"
)
# Fields that make a request more than "the stored response as it is", or that only
# aiohttp's path handles (connection options, debug output): the lane leaves those.
_LEFT_TO_AIOHTTP = frozenset(
    {
        "range",
        "if-range",
        "if-match",
        "if-none-match",
        "if-modified-since",
        "if-unmodified-since",
        "authorization",
        "pragma",
        "keep-alive",
        "te",
        "upgrade",
        "expect",
        "x-cdnsim-debug",
    }
)
_TARGETS_KEPT = 4096  # parsed request targets remembered (a load test asks few distinct ones)
_HEADS_KEPT = 4096  # response heads remembered, for the second they were written in
_NO_BODY = frozenset({204, 304})


def fast_lane(pop: Pop) -> FastLane:
    """The lane for ``pop``'s viewer connections."""
    targets: dict[bytes, tuple[str, tuple[tuple[str, str], ...], str]] = {}
    heads = _Heads(pop.pop_id)

    def answer(data: bytes) -> tuple[bytes, bool] | None:
        if pop.settings.debug:
            return None
        match = _HEAD.match(data)
        if match is None:
            return None
        headers = _fields(match.group(2))
        if headers is None:
            return None
        fields, raw_host, closing = headers
        target = match.group(1)
        parsed = targets.get(target)
        if parsed is None:
            if len(targets) >= _TARGETS_KEPT:
                targets.clear()
            parsed = targets[target] = _target(target.decode("ascii"))
        path, query, raw_query = parsed
        fields = as_distribution(fields, raw_host, pop.settings.distribution_id)
        viewer = ViewerRequest("GET", path, query, raw_query, fields, b"", False, raw_host)
        outcome = pop.serve_held(viewer)
        if outcome is None:
            return None
        pop.counters.fast_lane += 1
        head, with_body = heads.of(outcome, closing)
        return (head + outcome.body if with_body else head), not closing

    return answer


def _fields(block: bytes) -> tuple[tuple[tuple[str, str], ...], str, bool] | None:
    """The header fields (names as sent, values without surrounding whitespace), the one
    Host, and whether the request asked to close the connection; None when a field is left
    to aiohttp (a connection option other than close or keep-alive too), or Host is missing
    or repeated."""
    fields = []
    host: str | None = None
    closing = False
    for line in block[:-2].split(b"\r\n"):
        name, _, value = line.decode("ascii").partition(":")
        lowered = name.lower()
        if lowered in _LEFT_TO_AIOHTTP:
            return None
        value = value.strip(" \t")
        if lowered == "connection":
            options = {option.strip().lower() for option in value.split(",")}
            if not options <= {"close", "keep-alive"}:
                return None
            closing = closing or "close" in options
        elif lowered == "host":
            if host is not None:
                return None
            host = value
        fields.append((name, value))
    if not host:
        return None
    return tuple(fields), host, closing


def _target(target: str) -> tuple[str, tuple[tuple[str, str], ...], str]:
    """Path, decoded query pairs and raw query string, as aiohttp's parser gives them."""
    path, _, query_string = target.partition("?")
    url = URL.build(path=path, query_string=query_string, encoded=True)
    return url.raw_path, tuple(url.query.items()), url.raw_query_string


def _head(
    status: int, headers: list[tuple[str, str]], length: int, date: str, closing: bool
) -> tuple[bytes, bool]:
    """The response head as aiohttp writes a ``web.Response`` with these headers, and
    whether a body follows it."""
    try:
        reason = HTTPStatus(status).phrase
    except ValueError:
        reason = ""
    lines = [f"HTTP/1.1 {status} {reason}\r\n"]
    named = set()
    for name, value in headers:
        lowered = name.lower()
        if lowered in ("content-length", "transfer-encoding"):
            continue
        named.add(lowered)
        lines.append(f"{name}: {value}\r\n")
    with_body = status not in _NO_BODY and not 100 <= status < 200
    if "content-type" not in named and with_body:
        lines.append("Content-Type: application/octet-stream\r\n")
    if with_body:
        lines.append(f"Content-Length: {length}\r\n")
    if "date" not in named:
        lines.append(f"Date: {date}\r\n")
    if "server" not in named:
        lines.append(f"Server: {SERVER_SOFTWARE}\r\n")
    if closing:
        lines.append("Connection: close\r\n")
    lines.append("\r\n")
    return "".join(lines).encode("utf-8", "surrogateescape"), with_body


class _Heads:
    """Response heads of one POP's hits. A hit's head changes with its stored response, its
    Age, its remaining TTL and the second (Date): the same head is written again until one
    of them changes."""

    def __init__(self, pop_id: str) -> None:
        self._pop_id = pop_id
        self._kept: dict[tuple[object, ...], tuple[object, bytes, bool]] = {}
        self._date = _Date()

    def of(self, outcome: Outcome, closing: bool) -> tuple[bytes, bool]:
        """The head, and whether the body follows it."""
        ttl, stored = outcome.cache_status.ttl, outcome.headers
        key = (id(stored), outcome.status, outcome.age, None if ttl is None else int(ttl),
               outcome.upstream_cache_status, len(outcome.body), self._date.second(),
               closing)  # fmt: skip
        kept = self._kept.get(key)
        if kept is None or kept[0] is not stored:  # the stored tuple, not one at its address
            status, fields, body = deliver(outcome, self._pop_id, "GET", {})
            if len(self._kept) >= _HEADS_KEPT:
                self._kept.clear()
            head = _head(status, fields, len(body), self._date(), closing)
            kept = self._kept[key] = (stored, *head)
        return kept[1], kept[2]


class _Date:
    """The Date field, formatted once per second (as aiohttp does)."""

    def __init__(self) -> None:
        self._second = -1
        self._text = ""

    def second(self) -> int:
        return int(time.time())

    def __call__(self) -> str:
        now = int(time.time())
        if now != self._second:
            self._second, self._text = now, formatdate(now, usegmt=True)
        return self._text
