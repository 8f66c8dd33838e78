"""Range requests, RFC 9110 §14, and partial content in a cache, RFC 9111 §3.3–3.4.

Positions are inclusive byte offsets, as in ``Content-Range`` (``first``–``last``).
A stored or received partial response is a :class:`Partial`: the spans it holds, in
order and disjoint, and the complete length; its body is those spans' bytes, concatenated.

The caller matches on :func:`plan_range`'s answer and ends in ``typing.assert_never``.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from edge.rules.http_date import parse_http_date

# More ranges than this in one request (after coalescing) and the Range field is
# ignored: RFC 9110 §14.2 lets a server ignore a Range that asks for many small parts.
MAX_PARTS = 32

_RANGE_SPEC = re.compile(r"(\d*)-(\d*)", re.ASCII)
_CONTENT_RANGE = re.compile(r"bytes (\d{1,18})-(\d{1,18})/(\d{1,18}|\*)", re.ASCII | re.IGNORECASE)

Span = tuple[int, int]  # first, last: inclusive


@dataclass(frozen=True)
class Partial:
    """Which bytes of a representation of ``length`` bytes a body holds."""

    spans: tuple[Span, ...]
    length: int

    @property
    def complete(self) -> bool:
        return self.spans == ((0, self.length - 1),) or self.length == 0

    def covers(self, wanted: Sequence[Span]) -> bool:
        return all(any(f <= first and last <= l for f, l in self.spans) for first, last in wanted)

    def slice(self, body: bytes, span: Span) -> bytes:
        """The bytes of ``span`` (which the body must cover) out of the concatenated body."""
        offset = 0
        for first, last in self.spans:
            if first <= span[0] and span[1] <= last:
                start = offset + span[0] - first
                return body[start : start + span[1] - span[0] + 1]
            offset += last - first + 1
        raise ValueError(f"span {span} is not held")


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


@dataclass(frozen=True)
class Validators:
    """What a response can be validated with: its ETag, Last-Modified and Date fields."""

    etag: str | None = None
    last_modified: str | None = None
    date: str | None = None

    def strong_etag(self) -> str | None:
        return self.etag if self.etag is not None and not self.etag.startswith("W/") else None


def if_range_matches(if_range: str | None, validators: Validators) -> bool:
    """RFC 9110 §13.1.5: an entity-tag must match strongly; a date must equal a
    Last-Modified that is itself strong (at least a second before the Date, §8.8.2.2)."""
    if if_range is None:
        return True
    value = if_range.strip()
    if value.startswith(('"', "W/")):
        return value == validators.strong_etag()
    wanted = parse_http_date(value)
    modified = parse_http_date(validators.last_modified)
    if wanted is None or modified is None or wanted != modified:
        return False
    date = parse_http_date(validators.date)
    return date is None or date >= modified + 1


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


def combine(
    stored: Partial, stored_body: bytes, new: Partial, new_body: bytes
) -> tuple[Partial, bytes]:
    """RFC 9111 §3.4: the union of two partial bodies of one representation (the caller
    checks that they share a strong validator); where they overlap the new bytes win."""
    if stored.length != new.length:
        raise ValueError("partial responses of different lengths do not combine")
    pieces = {span: new.slice(new_body, span) for span in new.spans}
    for span in stored.spans:
        for part in _outside(span, new.spans):
            pieces[part] = stored.slice(stored_body, part)
    spans: list[Span] = []
    body = bytearray()
    for first, last in sorted(pieces):
        if spans and first == spans[-1][1] + 1:
            spans[-1] = (spans[-1][0], last)
        else:
            spans.append((first, last))
        body += pieces[(first, last)]
    return Partial(tuple(spans), new.length), bytes(body)


def completion_range(stored: Partial) -> str | None:
    """The Range that asks for what a partial response lacks when that is one run at
    its end (``bytes=N-``, RFC 9111 §3.4's "completing" a response); None otherwise."""
    if len(stored.spans) == 1 and stored.spans[0][0] == 0:
        return f"bytes={stored.spans[0][1] + 1}-"
    return None


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


def _outside(span: Span, others: Sequence[Span]) -> list[Span]:
    """The parts of ``span`` not covered by any of ``others`` (sorted, disjoint)."""
    pieces = [span]
    for o_first, o_last in others:
        next_pieces = []
        for first, last in pieces:
            if o_last < first or last < o_first:
                next_pieces.append((first, last))
                continue
            if first < o_first:
                next_pieces.append((first, o_first - 1))
            if o_last < last:
                next_pieces.append((o_last + 1, last))
        pieces = next_pieces
    return pieces


@dataclass(frozen=True)
class Covered:
    """The stored partial response holds everything the request needs: serve it."""


@dataclass(frozen=True)
class FetchRange:
    """Ask upstream for ``range`` (None: the whole representation), with ``if_range`` so
    that a changed representation comes back whole instead of a part of it (§13.1.5)."""

    range: str | None
    if_range: str | None


PartialFill = Covered | FetchRange


def plan_partial_fill(
    held: Partial,
    validators: Validators,
    *,
    fresh: bool,
    method: str,
    range_value: str | None,
    if_range: str | None,
) -> PartialFill:
    """What to do with a request when a partial response is stored (RFC 9111 §3.3: it
    answers only a Range request wholly within it, and only while fresh).

    Otherwise upstream is asked for the request's own range (one span; several spans
    or none at all ask for the whole) or, for a whole-body request, for just what the
    stored part lacks (:func:`completion_range`), so that the answer can be combined
    with it (§3.4). Combining needs a strong validator; without one the whole
    representation is fetched.
    """
    wanted = _wanted_spans(held, validators, method, range_value, if_range)
    if fresh and wanted is not None and held.covers(wanted):
        return Covered()
    guard = if_range_value(validators)
    if wanted is None:
        completion = completion_range(held) if guard is not None else None
        return FetchRange(completion, guard if completion else None)
    if len(wanted) != 1:
        return FetchRange(None, None)
    span = wanted[0]
    return FetchRange(f"bytes={span[0]}-{span[1]}", guard)


def _wanted_spans(
    held: Partial,
    validators: Validators,
    method: str,
    range_value: str | None,
    if_range: str | None,
) -> tuple[Span, ...] | None:
    """The spans the request needs; None when it needs the whole representation."""
    plan = plan_range(method, range_value, if_range, validators, held.length)
    if isinstance(plan, SinglePart):
        return (plan.span,)
    if isinstance(plan, MultiPart):
        return plan.spans
    if isinstance(plan, Unsatisfiable):
        return ()  # answered 416 from what is known: the complete length
    return None


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


def if_range_value(validators: Validators) -> str | None:
    """The strong validator to send as If-Range (RFC 9110 §13.1.5): the ETag if strong,
    else a Last-Modified a second or more before the Date; None when there is none."""
    etag = validators.strong_etag()
    if etag is not None:
        return etag
    modified = parse_http_date(validators.last_modified)
    date = parse_http_date(validators.date)
    if modified is not None and date is not None and date >= modified + 1:
        return validators.last_modified
    return None


def same_representation(stored: Validators, new: Validators) -> bool:
    """RFC 9111 §3.4: partial responses combine only when they share a strong validator."""
    mine, theirs = if_range_value(stored), if_range_value(new)
    if mine is None or theirs is None:
        return False
    if stored.strong_etag() is not None or new.strong_etag() is not None:
        return stored.strong_etag() == new.strong_etag()
    return parse_http_date(mine) == parse_http_date(theirs)
