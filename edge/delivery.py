"""What a viewer receives: its preconditions and its Range applied to the POP's answer.

The POP evaluates a viewer's ``If-Match``, ``If-Unmodified-Since``, ``If-None-Match``
and ``If-Modified-Since`` on the representation it serves (stored or just fetched: it
never forwards the viewer's own conditionals, RFC 9111 §4.3.2), then ``If-Range`` and
``Range`` (RFC 9110 §14): 206 with ``Content-Range``, several ranges as
``multipart/byteranges``, 416 when none is satisfiable. Responses it passes through
(uncached behaviours, its own errors) go out as they came: the origin had the fields.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import NamedTuple, assert_never

from multidict import istr

from common.errors import ApiError
from edge.outcome import Outcome
from edge.rules.cache_control import header_value
from edge.rules.conditional import (
    NotModified,
    PreconditionFailed,
    Preconditions,
    Proceed,
    evaluate,
)
from edge.rules.partial import Partial
from edge.rules.ranges import (
    MultiPart,
    SinglePart,
    Span,
    Unsatisfiable,
    WholeBody,
    format_content_range,
    multipart_body,
    plan_range,
)
from edge.rules.validators import Validators

Headers = list[tuple[str, str]]
ACCEPT_RANGES = ("Accept-Ranges", "bytes")
_JSON = ("Content-Type", "application/json; charset=utf-8")
# Case-folded once: looking them up on every hit is then cheaper (multidict's istr).
_RANGE, _IF_RANGE, _IF_MATCH = istr("Range"), istr("If-Range"), istr("If-Match")
_IF_NONE_MATCH, _IF_MODIFIED_SINCE = istr("If-None-Match"), istr("If-Modified-Since")
_IF_UNMODIFIED_SINCE = istr("If-Unmodified-Since")
# Fields that describe the whole body and so do not fit a part or a 304.
_BODY_FIELDS = frozenset({"content-length", "content-range"})


@dataclass(frozen=True)
class ViewerAsks:
    """The viewer's method and the fields the POP answers itself."""

    method: str
    range: str | None = None
    if_range: str | None = None
    preconditions: Preconditions = field(default_factory=Preconditions)


class Delivery(NamedTuple):
    status: int
    headers: Headers
    body: bytes


def deliver(outcome: Outcome, pop_id: str, method: str, fields: Mapping[str, str]) -> Delivery:
    """The response for a viewer whose request had ``method`` and header ``fields``.

    The hit path pays for six field lookups and one header more (Accept-Ranges); the
    rules run only when the viewer sent a Range or a precondition, or the POP holds a part.
    """
    headers = outcome.response_headers(pop_id)
    if not outcome.evaluate_here:
        return Delivery(outcome.status, headers, outcome.body)
    asks = _asks(method, fields)
    if asks is None and outcome.partial is None:
        if outcome.status == 200:
            headers.append(ACCEPT_RANGES)
        return Delivery(outcome.status, headers, outcome.body)
    return answer(outcome, pop_id, headers, asks or ViewerAsks(method))


def _asks(method: str, fields: Mapping[str, str]) -> ViewerAsks | None:
    """The viewer's Range and preconditions; None when it sent none of them."""
    get = fields.get
    range_value, if_range = get(_RANGE), get(_IF_RANGE)
    if_match, if_none_match = get(_IF_MATCH), get(_IF_NONE_MATCH)
    since, unmodified = get(_IF_MODIFIED_SINCE), get(_IF_UNMODIFIED_SINCE)
    if (
        range_value is None
        and if_range is None
        and if_match is None
        and if_none_match is None
        and since is None
        and unmodified is None
    ):
        return None
    pre = Preconditions(if_match, if_none_match, since, unmodified)
    return ViewerAsks(method, range_value, if_range, pre)


def answer(outcome: Outcome, pop_id: str, headers: Headers, asks: ViewerAsks) -> Delivery:
    """Preconditions first, then the Range (RFC 9110 §13.2.2)."""
    validators = Validators.of(outcome.headers)
    evaluation = evaluate(asks.method, outcome.status, asks.preconditions, validators)
    match evaluation:
        case NotModified():
            return Delivery(304, _without(headers, _BODY_FIELDS), b"")
        case PreconditionFailed():
            return _error(outcome, pop_id, 412, "precondition_failed", "a precondition failed")
        case Proceed():
            return _ranged(outcome, pop_id, headers, asks, validators)
        case _:
            assert_never(evaluation)


def _ranged(
    outcome: Outcome, pop_id: str, headers: Headers, asks: ViewerAsks, validators: Validators
) -> Delivery:
    if outcome.partial is None and outcome.status != 200:
        return Delivery(outcome.status, headers, outcome.body)  # only a 200 has parts to give
    size = len(outcome.body)
    held = outcome.partial or Partial(((0, size - 1),) if size else (), size)
    plan = plan_range(asks.method, asks.range, asks.if_range, validators, held.length)
    match plan:
        case WholeBody():
            if outcome.partial is None:
                return Delivery(200, [*headers, ACCEPT_RANGES], outcome.body)
            spans = held.spans  # cannot happen (the POP fetches what it lacks): give what is held
        case SinglePart(span=span):
            spans = (span,)
        case MultiPart(spans=spans):
            pass
        case Unsatisfiable():
            message = f"no range of {asks.range!r} is within the {held.length} bytes"
            extra = ("Content-Range", format_content_range(None, held.length))
            return _error(outcome, pop_id, 416, "range_not_satisfiable", message, extra)
        case _:
            assert_never(plan)
    if not held.covers(spans):
        spans = held.spans
    return _partial_content(outcome, headers, held, spans, validators)


def _partial_content(
    outcome: Outcome, headers: Headers, held: Partial, spans: tuple[Span, ...], v: Validators
) -> Delivery:
    """206 (RFC 9110 §15.3.7): one part with Content-Range, or multipart/byteranges."""
    parts = [held.slice(outcome.body, span) for span in spans]
    fields = _without(headers, _BODY_FIELDS)
    if len(spans) == 1:
        fields += [("Content-Range", format_content_range(spans[0], held.length)), ACCEPT_RANGES]
        return Delivery(206, fields, parts[0])
    # A boundary derived from the representation and the ranges: the same request gets
    # the same bytes (determinism), and 24 hex digits do not occur in a body by chance.
    seed = f"{v.etag}|{v.last_modified}|{held.length}|{spans}".encode()
    boundary = "cdnsim-" + hashlib.blake2b(seed, digest_size=12).hexdigest()
    content_type = header_value(fields, "content-type")
    body = multipart_body(spans, parts, content_type, held.length, boundary)
    fields = _without(fields, frozenset({"content-type"}))
    fields += [("Content-Type", f"multipart/byteranges; boundary={boundary}"), ACCEPT_RANGES]
    return Delivery(206, fields, body)


def _error(
    outcome: Outcome,
    pop_id: str,
    status: int,
    code: str,
    message: str,
    *extra: tuple[str, str],
) -> Delivery:
    """An answer of the POP's own about this representation, in the JSON error shape."""
    body = json.dumps(ApiError(message, status=status, code=code).body()).encode()
    own = replace(outcome, headers=(_JSON, *extra), partial=None)
    return Delivery(status, own.response_headers(pop_id), body)


def _without(headers: Headers, names: frozenset[str]) -> Headers:
    return [(k, v) for k, v in headers if k.lower() not in names]
