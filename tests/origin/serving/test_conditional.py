"""Validators: strong ETags of the bytes, If-None-Match matching, HTTP dates."""

from __future__ import annotations

import pytest

from origin.serving.conditional import etag_of, http_date, none_match


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
