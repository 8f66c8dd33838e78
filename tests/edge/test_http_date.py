"""HTTP-date parsing, RFC 9110 §5.6.7, strictly (with RFC 9111 §4.2's case-insensitivity)."""

from __future__ import annotations

import calendar

import pytest

from edge.rules.http_date import format_http_date, parse_http_date

EPOCH_1994 = calendar.timegm((1994, 11, 6, 8, 49, 37))
NOW = calendar.timegm((2026, 1, 1, 0, 0, 0))


@pytest.mark.parametrize(
    "value",
    [
        "Sun, 06 Nov 1994 08:49:37 GMT",  # IMF-fixdate
        "Sunday, 06-Nov-94 08:49:37 GMT",  # rfc850-date
        "Sun Nov  6 08:49:37 1994",  # asctime-date
        "SUN, 06 NOV 1994 08:49:37 gmt",  # names in any case (RFC 9111 §4.2)
        " Sun, 06 Nov 1994 08:49:37 GMT ",  # surrounding whitespace is not part of the value
    ],
)
def test_the_three_formats_parse_to_the_same_moment(value: str) -> None:
    assert parse_http_date(value) == EPOCH_1994


@pytest.mark.parametrize(
    "value",
    [
        "Thu, 18 Aug 50 02:01:18 GMT",  # two-digit year in IMF-fixdate
        "Thu 18 Aug 2050 02:01:18 GMT",  # missing comma
        "Thu, 18  Aug  2050 02:01:18 GMT",  # several spaces
        "Thu, 18-Aug-2050 02:01:18 GMT",  # dashes
        "Thu, 18 Aug 2050 02.01.18 GMT",  # periods in the time
        "Thu, 18 Aug 2050 2:01:18 GMT",  # one-digit hour
        "Thu, 18 Aug 2050 02:01:18 UTC",  # UTC is not GMT
        "Thu, 18 Aug 2050 02:01:18 +0000",
        "Thu, 18 Aug 2050 02:01:18 GMT, Thu, 18 Aug 2050 02:01:18 GMT",  # two dates
        "Thu, 31 Feb 2050 02:01:18 GMT",  # no such day
        "Thu, 18 Aug 2050 24:00:00 GMT",
        "Thursday, 18-Aug-2050 02:01:18 GMT",  # rfc850 has a two-digit year
        "0",
        "",
        "Thu, １８ Aug 2050 02:01:18 GMT",  # digits are ASCII digits
    ],
)
def test_anything_else_is_not_a_date(value: str) -> None:
    assert parse_http_date(value) is None


def test_a_leap_second_is_valid_syntax() -> None:
    assert parse_http_date("Sat, 31 Dec 2016 23:59:60 GMT") == calendar.timegm(
        (2017, 1, 1, 0, 0, 0)
    )


def test_rfc850_years_more_than_50_years_ahead_are_in_the_past() -> None:  # §5.6.7
    assert parse_http_date("Friday, 01-Jan-76 00:00:00 GMT", NOW) == calendar.timegm(
        (2076, 1, 1, 0, 0, 0)
    )
    assert parse_http_date("Thursday, 01-Jan-77 00:00:00 GMT", NOW) == calendar.timegm(
        (1977, 1, 1, 0, 0, 0)
    )


def test_format_is_imf_fixdate_and_reads_back() -> None:
    assert format_http_date(EPOCH_1994) == "Sun, 06 Nov 1994 08:49:37 GMT"
    assert parse_http_date(format_http_date(NOW)) == NOW
