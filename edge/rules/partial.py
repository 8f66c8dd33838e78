"""Partial content in a cache, RFC 9111 §3.3–3.4.

A stored 206 is a :class:`Partial`: the spans of the representation it holds (sorted,
disjoint, inclusive byte offsets) and the complete length; its body is those spans'
bytes, concatenated. It answers only a request wholly within it, while fresh (§3.3);
parts of one representation combine (§3.4) until every byte is held.

The caller matches on :func:`plan_partial_fill`'s answer and ends in ``typing.assert_never``.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from edge.rules.ranges import MultiPart, SinglePart, Span, Unsatisfiable, plan_range
from edge.rules.validators import Validators, if_range_value


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
