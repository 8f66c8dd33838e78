"""Validators: strong ETags of the bytes, If-None-Match and If-Modified-Since, If-Range,
byte spans, HTTP dates."""

from __future__ import annotations

import pytest

from origin.serving.conditional import (
    byte_span,
    etag_of,
    http_date,
    if_range_allows,
    none_match,
    not_modified,
)


def test_the_etag_is_strong_quoted_and_depends_only_on_the_bytes() -> None:
    tag = etag_of(b"abc")
    assert tag.startswith('"') and tag.endswith('"') and not tag.startswith("W/")
    assert tag == etag_of(b"abc") != etag_of(b"abd")


@pytest.mark.parametrize(
    ("header", "matches"),
    [
        (None, False),
        ("", False),
        ('"abc"', True),
        ('W/"abc"', True),
        ('"x", "abc"', True),
        ('"x","y"', False),
        ("*", True),
        ("abc", False),
    ],
)
def test_if_none_match_uses_weak_comparison_and_lists(header: str | None, matches: bool) -> None:
    assert none_match(header, '"abc"') is matches


def test_http_dates_are_imf_fixdates_in_gmt() -> None:
    assert http_date(1767225600.0) == "Thu, 01 Jan 2026 00:00:00 GMT"


MODIFIED = 1767225600.5  # stored with sub-second precision; HTTP dates have none


def test_if_modified_since_is_304_at_or_after_the_modification() -> None:  # RFC 9110 §13.1.3
    assert not_modified(None, 1767225600.0, '"a"', MODIFIED)
    assert not_modified(None, 1767225601.0, '"a"', MODIFIED)
    assert not not_modified(None, 1767225599.0, '"a"', MODIFIED)
    assert not not_modified(None, None, '"a"', MODIFIED)
    assert not not_modified(None, 1767225600.0, '"a"', 0.0)  # no modification date known


def test_if_none_match_decides_when_present() -> None:  # §13.2.2
    assert not not_modified('"b"', 1767225601.0, '"a"', MODIFIED)
    assert not_modified('"a"', 0.0, '"a"', MODIFIED)


def test_if_range_names_the_etag_or_the_date() -> None:  # §13.1.5
    assert if_range_allows(None, '"a"', MODIFIED)
    assert if_range_allows('"a"', '"a"', MODIFIED)
    assert not if_range_allows('W/"a"', '"a"', MODIFIED)
    assert if_range_allows(http_date(MODIFIED), '"a"', MODIFIED)
    assert not if_range_allows(http_date(MODIFIED - 5), '"a"', MODIFIED)


def test_byte_spans_resolve_against_the_length() -> None:  # §14.1.2
    assert byte_span(0, 100, 1000) == (0, 99)
    assert byte_span(-10, None, 1000) == (990, 999)
    assert byte_span(990, 5000, 1000) == (990, 999)
    assert byte_span(1000, None, 1000) is None
