"""Range requests, RFC 9110 §14: which bytes a request asks for, and how they are sent.

Positions are inclusive byte offsets, as in ``Content-Range`` (``first``–``last``).
The caller matches on :func:`plan_range`'s answer and ends in ``typing.assert_never``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from edge.rules.validators import Validators, if_range_matches

# More ranges than this in one request (after coalescing) and the Range field is
# ignored: RFC 9110 §14.2 lets a server ignore a Range that asks for many small parts.
MAX_PARTS = 32

_RANGE_SPEC = re.compile(r"(\d*)-(\d*)", re.ASCII)
_CONTENT_RANGE = re.compile(r"bytes (\d{1,18})-(\d{1,18})/(\d{1,18}|\*)", re.ASCII | re.IGNORECASE)

Span = tuple[int, int]  # first, last: inclusive


@dataclass(frozen=True)
class WholeBody:
    """Answer with the whole representation (no Range, not GET, or Range ignored)."""


@dataclass(frozen=True)
class SinglePart:
    """206 with one part and ``Content-Range`` (RFC 9110 §14.4, §15.3.7.1)."""

    span: Span


@dataclass(frozen=True)
class MultiPart:
    """206 as ``multipart/byteranges`` (RFC 9110 §14.6), spans sorted and coalesced."""

    spans: tuple[Span, ...]


@dataclass(frozen=True)
class Unsatisfiable:
    """416 with ``Content-Range: bytes */length`` (RFC 9110 §15.5.17)."""


RangePlan = WholeBody | SinglePart | MultiPart | Unsatisfiable


def parse_range(value: str | None) -> tuple[tuple[int | None, int | None], ...] | None:
    """A ``bytes`` Range field (RFC 9110 §14.1.1, §14.2) as (first, last) pairs, where
    ``(None, n)`` is the suffix of length n and ``(n, None)`` runs to the end.

    None when the field is absent, not in bytes, or syntactically invalid (including a
    spec whose last is before its first): such a Range is ignored (§14.2).
    """
    if value is None:
        return None
    unit, sep, ranges = value.partition("=")
    if not sep or unit.strip().lower() != "bytes":
        return None
    specs: list[tuple[int | None, int | None]] = []
    for member in ranges.split(","):
        member = member.strip(" \t")
        if not member:
            continue  # empty list members are allowed (§5.6.1)
        match = _RANGE_SPEC.fullmatch(member)
        if match is None or match.group() == "-":
            return None
        first = int(match.group(1)) if match.group(1) else None
        last = int(match.group(2)) if match.group(2) else None
        if first is not None and last is not None and last < first:
            return None
        specs.append((first, last))
    return tuple(specs) or None


def satisfiable_spans(
    specs: Sequence[tuple[int | None, int | None]], length: int
) -> tuple[Span, ...]:
    """The specs resolved against a representation of ``length`` bytes (§14.1.2), those
    that are unsatisfiable dropped, the rest sorted and coalesced when they overlap or
    touch (§14.2 allows it)."""
    spans: list[Span] = []
    for first, last in specs:
        if first is None:
            if not last or length == 0:
                continue  # a zero-length suffix selects nothing
            spans.append((max(0, length - last), length - 1))
        elif first < length:
            spans.append((first, length - 1 if last is None else min(last, length - 1)))
    spans.sort()
    merged: list[Span] = []
    for first, last in spans:
        if merged and first <= merged[-1][1] + 1:
            merged[-1] = (merged[-1][0], max(merged[-1][1], last))
        else:
            merged.append((first, last))
    return tuple(merged)


def plan_range(
    method: str,
    range_value: str | None,
    if_range: str | None,
    validators: Validators,
    length: int,
) -> RangePlan:
    """How to answer a request for a complete representation of ``length`` bytes.

    Only GET has range semantics (§14.2); an ``If-Range`` that does not match the
    representation (§13.1.5) turns the request into a plain GET.
    """
    if method != "GET" or range_value is None:
        return WholeBody()
    specs = parse_range(range_value)
    if specs is None or not if_range_matches(if_range, validators):
        return WholeBody()
    spans = satisfiable_spans(specs, length)
    if not spans:
        return Unsatisfiable()
    if len(spans) > MAX_PARTS:
        return WholeBody()
    return SinglePart(spans[0]) if len(spans) == 1 else MultiPart(spans)


def parse_content_range(value: str | None) -> tuple[Span, int] | None:
    """A 206's single-part ``Content-Range`` (RFC 9110 §14.4): the span and the complete
    length; None when absent, invalid, of unknown length (``*``) or inconsistent."""
    if value is None:
        return None
    match = _CONTENT_RANGE.fullmatch(value.strip())
    if match is None or match.group(3) == "*":
        return None
    first, last, length = int(match.group(1)), int(match.group(2)), int(match.group(3))
    if last < first or last >= length:
        return None
    return (first, last), length


def format_content_range(span: Span | None, length: int) -> str:
    """``bytes first-last/length``, or ``bytes */length`` for a 416 (§14.4)."""
    if span is None:
        return f"bytes */{length}"
    return f"bytes {span[0]}-{span[1]}/{length}"


def multipart_body(
    spans: Sequence[Span],
    parts: Sequence[bytes],
    content_type: str | None,
    length: int,
    boundary: str,
) -> bytes:
    """A ``multipart/byteranges`` body (RFC 9110 §14.6): each part with its
    Content-Type and Content-Range, CRLF line ends, the closing delimiter last."""
    out = bytearray()
    for span, data in zip(spans, parts, strict=True):
        out += f"\r\n--{boundary}\r\n".encode()
        if content_type:
            out += f"Content-Type: {content_type}\r\n".encode("latin-1")
        out += f"Content-Range: {format_content_range(span, length)}\r\n\r\n".encode()
        out += data
    out += f"\r\n--{boundary}--\r\n".encode()
    return bytes(out)


def upstream_range(method: str, range_value: str | None, if_range: str | None) -> str | None:
    """On a miss, the Range to forward: the request's own when it is one span of a GET
    without If-Range (the origin cuts it; CloudFront does the same); else None."""
    if method != "GET" or if_range is not None:
        return None
    specs = parse_range(range_value)
    if specs is None or len(specs) != 1:
        return None
    first, last = specs[0]
    return f"bytes={'' if first is None else first}-{'' if last is None else last}"
