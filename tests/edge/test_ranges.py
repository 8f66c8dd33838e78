"""Range requests, RFC 9110 §14, and If-Range, §13.1.5."""

from __future__ import annotations

import pytest

from edge.rules.ranges import (
    MAX_PARTS,
    MultiPart,
    SinglePart,
    Unsatisfiable,
    WholeBody,
    format_content_range,
    multipart_body,
    parse_content_range,
    parse_range,
    plan_range,
    upstream_range,
)
from edge.rules.validators import Validators, if_range_matches

LM = "Thu, 01 Jan 2026 00:00:00 GMT"
LATER = "Thu, 01 Jan 2026 01:00:00 GMT"
STRONG = Validators('"v1"', LM, LATER)


def plan(value: str | None, length: int = 100, if_range: str | None = None, method: str = "GET"):  # type: ignore[no-untyped-def]
    return plan_range(method, value, if_range, STRONG, length)


def test_byte_range_forms() -> None:  # §14.1.2
    assert plan("bytes=0-99", 1000) == SinglePart((0, 99))
    assert plan("bytes=900-", 1000) == SinglePart((900, 999))
    assert plan("bytes=-5", 1000) == SinglePart((995, 999))
    assert plan("bytes=990-5000", 1000) == SinglePart((990, 999))  # last clamped
    assert plan("bytes=-5000", 1000) == SinglePart((0, 999))  # longer suffix: all of it
    assert plan("BYTES = 0-0", 10) == SinglePart((0, 0))


def test_several_ranges_are_sorted_and_coalesced() -> None:  # §14.2
    assert plan("bytes=50-59,0-9") == MultiPart(((0, 9), (50, 59)))
    assert plan("bytes=0-9,5-19,20-29") == SinglePart((0, 29))
    assert plan("bytes=0-9, ,90-") == MultiPart(((0, 9), (90, 99)))


def test_too_many_parts_make_the_range_ignored() -> None:  # §14.2
    many = ",".join(f"{i * 3}-{i * 3}" for i in range(MAX_PARTS + 1))
    assert plan(f"bytes={many}", 1000) == WholeBody()


def test_unsatisfiable_when_no_range_overlaps() -> None:  # §14.1.1, §15.5.17
    assert plan("bytes=100-", 100) == Unsatisfiable()
    assert plan("bytes=-0", 100) == Unsatisfiable()
    assert plan("bytes=0-1", 0) == Unsatisfiable()
    assert plan("bytes=200-300,0-5", 100) == SinglePart((0, 5))  # one satisfiable is enough


@pytest.mark.parametrize("value", ["items=0-5", "bytes=5-2", "bytes=a-b", "bytes=-", "bytes", ""])
def test_an_invalid_or_foreign_range_is_ignored(value: str) -> None:  # §14.2
    assert parse_range(value) is None
    assert plan(value) == WholeBody()


def test_only_get_has_ranges() -> None:  # §14.2
    assert plan("bytes=0-5", method="HEAD") == WholeBody()


def test_if_range_needs_a_strong_match() -> None:  # §13.1.5
    assert if_range_matches('"v1"', STRONG)
    assert not if_range_matches('"v2"', STRONG)
    assert not if_range_matches('W/"v1"', Validators('W/"v1"', None, None))
    assert if_range_matches(LM, STRONG)  # the Last-Modified, a second or more before Date
    assert not if_range_matches(LM, Validators(None, LM, LM))  # weak: Date == Last-Modified
    assert not if_range_matches("garbage", STRONG)
    assert plan("bytes=0-5", if_range='"old"') == WholeBody()


def test_content_range_of_a_206() -> None:  # §14.4
    assert parse_content_range("bytes 4-9/10") == ((4, 9), 10)
    for bad in ("bytes 4-9/*", "bytes 9-4/10", "bytes 4-10/10", "items 1-2/3", None):
        assert parse_content_range(bad) is None
    assert format_content_range((0, 99), 1000) == "bytes 0-99/1000"
    assert format_content_range(None, 1000) == "bytes */1000"


def test_multipart_body_names_each_part() -> None:  # §14.6
    body = multipart_body([(0, 1), (8, 9)], [b"01", b"89"], "text/plain", 10, "B")
    assert body == (
        b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 0-1/10\r\n\r\n01"
        b"\r\n--B\r\nContent-Type: text/plain\r\nContent-Range: bytes 8-9/10\r\n\r\n89"
        b"\r\n--B--\r\n"
    )


def test_a_miss_forwards_one_plain_range() -> None:
    assert upstream_range("GET", "bytes=0-99", None) == "bytes=0-99"
    assert upstream_range("GET", "bytes=-5", None) == "bytes=-5"
    assert upstream_range("GET", "bytes=0-1,5-6", None) is None  # fetched whole, cut here
    assert upstream_range("GET", "bytes=0-1", '"v"') is None
    assert upstream_range("HEAD", "bytes=0-1", None) is None
