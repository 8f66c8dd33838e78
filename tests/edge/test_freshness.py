"""RFC 9111 §4.2: freshness lifetime (§4.2.1), heuristics (§4.2.2) and age (§4.2.3)."""

from __future__ import annotations

import pytest

from edge.rules.cache_control import parse_cache_control
from edge.rules.freshness import (
    AgeInputs,
    age_inputs,
    age_value,
    current_age,
    explicit_lifetime,
    heuristic_lifetime,
)
from edge.rules.http_date import format_http_date, parse_http_date

NOW = 1_767_225_600.0
DATE = format_http_date(NOW)


def test_s_maxage_wins_over_max_age_in_a_shared_cache() -> None:  # §4.2.1
    headers = [("Cache-Control", "max-age=10, s-maxage=99")]
    assert explicit_lifetime(headers, NOW) == 99
    assert explicit_lifetime(headers, NOW, shared=False) == 10


def test_max_age_wins_over_expires() -> None:  # §4.2.1
    headers = [
        ("Date", DATE),
        ("Expires", format_http_date(NOW + 500)),
        ("Cache-Control", "max-age=5"),
    ]
    assert explicit_lifetime(headers, NOW) == 5


def test_expires_minus_date_is_the_lifetime() -> None:  # §4.2.1
    headers = [("Date", DATE), ("Expires", format_http_date(NOW + 300))]
    assert explicit_lifetime(headers, NOW) == 300


def test_invalid_expires_means_already_expired() -> None:  # §5.3
    assert explicit_lifetime([("Expires", "0")], NOW) == 0


def test_no_directive_means_no_explicit_lifetime() -> None:
    assert explicit_lifetime([("Content-Type", "text/plain")], NOW) is None


def test_invalid_max_age_is_ignored() -> None:  # §1.2.2: delta-seconds are digits only
    assert explicit_lifetime([("Cache-Control", "max-age=-5")], NOW) is None


def test_huge_max_age_is_capped_at_two_to_the_31() -> None:  # §1.2.2
    assert explicit_lifetime([("Cache-Control", "max-age=99999999999999")], NOW) == 2**31


def test_heuristic_is_ten_percent_of_time_since_last_modified() -> None:  # §4.2.2
    headers = [("Date", DATE), ("Last-Modified", format_http_date(NOW - 1000))]
    assert heuristic_lifetime(200, headers, NOW) == pytest.approx(100)


def test_heuristic_not_allowed_for_a_status_that_is_not_heuristically_cacheable() -> None:  # §4.2.2
    headers = [("Date", DATE), ("Last-Modified", format_http_date(NOW - 1000))]
    assert heuristic_lifetime(302, headers, NOW) is None
    assert heuristic_lifetime(302, [*headers, ("Cache-Control", "public")], NOW) == pytest.approx(
        100
    )


def test_heuristic_needs_last_modified() -> None:  # §4.2.2
    assert heuristic_lifetime(200, [("Date", DATE)], NOW) is None


def test_age_adds_resident_time_to_the_received_age() -> None:  # §4.2.3
    inputs = age_inputs([("Date", DATE), ("Age", "30")], NOW, NOW)
    assert current_age(inputs, NOW + 10) == 40


def test_age_counts_the_response_delay() -> None:  # §4.2.3 corrected_age_value
    inputs = AgeInputs(request_time=NOW, response_time=NOW + 2, date_value=NOW + 2, age_value=5)
    assert current_age(inputs, NOW + 2) == 7


def test_apparent_age_from_an_old_date() -> None:  # §4.2.3 apparent_age
    inputs = age_inputs([("Date", format_http_date(NOW - 20))], NOW, NOW)
    assert current_age(inputs, NOW) == 20


def test_cache_control_parsing_is_case_insensitive_and_unquotes() -> None:  # §5.2
    cc = parse_cache_control(['Max-Age=5, no-cache="Set-Cookie, X"', "PUBLIC"])
    assert cc == {"max-age": "5", "no-cache": "Set-Cookie, X", "public": None}


def test_bad_http_date_is_none() -> None:
    assert parse_http_date("yesterday") is None
    assert parse_http_date(DATE) == NOW


# The malformed dates the issue lists (two-digit year, missing comma, several spaces,
# dashes, periods in the time, one-digit hour, UTC).
INVALID_EXPIRES = (
    "Thu, 18 Aug 50 02:01:18 GMT",
    "Thu 18 Aug 2050 02:01:18 GMT",
    "Thu, 18  Aug  2050 02:01:18 GMT",
    "Thu, 18-Aug-2050 02:01:18 GMT",
    "Thu, 18 Aug 2050 02.01.18 GMT",
    "Thu, 18 Aug 2050 2:01:18 GMT",
    "Thu, 18 Aug 2050 02:01:18 UTC",
)


@pytest.mark.parametrize("expires", INVALID_EXPIRES)
def test_an_expires_that_is_not_an_http_date_is_already_expired(expires: str) -> None:  # §5.3
    assert explicit_lifetime([("Date", DATE), ("Expires", expires)], NOW) == 0


def test_an_expires_in_wrong_case_is_still_a_date() -> None:  # §4.2: case-insensitive
    future = format_http_date(NOW + 300).upper()
    assert explicit_lifetime([("Date", DATE), ("Expires", future)], NOW) == 300


def test_several_expires_lines_mean_already_expired() -> None:  # §5.3: a singleton field
    future = format_http_date(NOW + 300)
    assert explicit_lifetime([("Date", DATE), ("Expires", future), ("Expires", future)], NOW) == 0


def test_age_uses_the_first_member_of_a_list() -> None:  # §5.1
    assert age_value([("Age", "7200, 0")]) == 7200
    assert age_value([("Age", "0, 7200")]) == 0
    assert age_value([("Age", "30"), ("Age", "0")]) == 30
    assert age_value([]) == 0


def test_an_age_that_is_not_a_non_negative_integer_is_invalid() -> None:  # §5.1
    for bad in ("abc", "-7200", "7200.0", "", "١٢"):
        assert age_value([("Age", bad)]) is None
    assert age_inputs([("Age", "abc")], NOW, NOW).age_value == 0
