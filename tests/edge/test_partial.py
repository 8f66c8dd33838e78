"""Partial content in a cache (RFC 9111 §3.3–3.4): answering from a stored part,
asking for what it lacks, combining parts of one representation."""

from __future__ import annotations

from edge.rules.partial import (
    Covered,
    FetchRange,
    Partial,
    combine,
    completion_range,
    plan_partial_fill,
)
from edge.rules.validators import Validators, same_representation

LM = "Thu, 01 Jan 2026 00:00:00 GMT"
LATER = "Thu, 01 Jan 2026 01:00:00 GMT"
STRONG = Validators('"v1"', LM, LATER)


def test_partial_bodies_combine_and_new_bytes_win() -> None:  # RFC 9111 §3.4
    stored = Partial(((0, 4),), 10)
    new = Partial(((3, 9),), 10)
    partial, body = combine(stored, b"01234", new, b"ABCDEFG")
    assert partial == Partial(((0, 9),), 10) and partial.complete
    assert body == b"012ABCDEFG"


def test_disjoint_parts_stay_apart_until_the_gap_is_filled() -> None:
    partial, body = combine(Partial(((0, 1),), 10), b"01", Partial(((8, 9),), 10), b"89")
    assert partial.spans == ((0, 1), (8, 9)) and not partial.complete
    assert partial.slice(body, (8, 9)) == b"89"
    assert partial.covers([(0, 1), (9, 9)]) and not partial.covers([(1, 2)])


def test_completion_asks_for_the_missing_tail() -> None:
    assert completion_range(Partial(((0, 4),), 10)) == "bytes=5-"
    assert completion_range(Partial(((5, 9),), 10)) is None


def test_a_stored_part_answers_a_fresh_request_within_it() -> None:  # RFC 9111 §3.3
    held = Partial(((4, 9),), 10)

    def fill(range_value: str | None, *, fresh: bool = True):  # type: ignore[no-untyped-def]
        return plan_partial_fill(
            held, STRONG, fresh=fresh, method="GET", range_value=range_value, if_range=None
        )

    assert fill("bytes=6-8") == Covered()
    assert fill("bytes=-1") == Covered()
    assert fill("bytes=20-") == Covered()  # 416 from what is known
    assert fill("bytes=0-5") == FetchRange("bytes=0-5", '"v1"')
    assert fill("bytes=6-8", fresh=False) == FetchRange("bytes=6-8", '"v1"')
    assert fill(None) == FetchRange(None, None)  # not a prefix: fetch it whole
    prefix = Partial(((0, 4),), 10)
    assert plan_partial_fill(
        prefix, STRONG, fresh=True, method="GET", range_value=None, if_range=None
    ) == FetchRange("bytes=5-", '"v1"')


def test_without_a_strong_validator_parts_are_not_completed() -> None:  # §3.4
    weak = Validators('W/"x"', None, None)
    assert plan_partial_fill(
        Partial(((0, 4),), 10), weak, fresh=True, method="GET", range_value=None, if_range=None
    ) == FetchRange(None, None)


def test_same_representation_needs_the_same_strong_validator() -> None:
    assert same_representation(STRONG, Validators('"v1"', None, None))
    assert not same_representation(STRONG, Validators('"v2"', LM, LATER))
    assert not same_representation(Validators(None, None, None), Validators(None, None, None))
    assert same_representation(Validators(None, LM, LATER), Validators(None, LM, LATER))
