"""HTTP-date, strictly: the three formats of RFC 9110 §5.6.7 and nothing else.

A cache that reads a malformed date generously can keep a response fresh that its
origin meant to be expired. So only these are accepted (RFC 9110 §5.6.7)::

    IMF-fixdate  Sun, 06 Nov 1994 08:49:37 GMT
    rfc850-date  Sunday, 06-Nov-94 08:49:37 GMT
    asctime      Sun Nov  6 08:49:37 1994

Names are matched without regard to case (RFC 9111 §4.2: "a cache recipient SHOULD
match the field value case-insensitively"); everything else is exact: single spaces,
the comma, two-digit day, hour, minute and second, a four-digit year (two digits only
in rfc850-date), ``GMT``. Invalid examples: ``Thu, 18 Aug 50 02:01:18 GMT``,
``Thu 18 Aug 2050 02:01:18 GMT``, ``Thu, 18-Aug-2050 …``, ``02.01.18``, ``2:01:18``,
``… UTC``, two dates in one field.
"""

from __future__ import annotations

import calendar
import email.utils
import re
import time

_DAY = r"(?P<wkday>mon|tue|wed|thu|fri|sat|sun)"
_LONG_DAY = r"(?P<weekday>monday|tuesday|wednesday|thursday|friday|saturday|sunday)"
_MONTH = r"(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
_TIME = r"(?P<hour>\d\d):(?P<minute>\d\d):(?P<second>\d\d)"
_FORMATS = (
    re.compile(
        rf"{_DAY}, (?P<day>\d\d) {_MONTH} (?P<year>\d{{4}}) {_TIME} gmt", re.IGNORECASE | re.ASCII
    ),
    re.compile(
        rf"{_LONG_DAY}, (?P<day>\d\d)-{_MONTH}-(?P<year2>\d\d) {_TIME} gmt",
        re.IGNORECASE | re.ASCII,
    ),
    re.compile(
        rf"{_DAY} {_MONTH} (?P<day>[ \d]\d) {_TIME} (?P<year>\d{{4}})", re.IGNORECASE | re.ASCII
    ),
)
# Not calendar.month_abbr: that follows the locale.
_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        ["jan", "feb", "mar", "apr", "may", "jun", "jul", "aug", "sep", "oct", "nov", "dec"]
    )
}
# RFC 9110 §5.6.7: a two-digit year more than 50 years in the future is in the past.
_YEARS_AHEAD = 50


def parse_http_date(value: str | None, now: float | None = None) -> float | None:
    """An HTTP-date as epoch seconds; None if absent or not exactly one of the three formats.

    ``now`` places rfc850-date's two-digit years (RFC 9110 §5.6.7: one that would be
    more than 50 years after ``now`` is the most recent past year with those digits);
    without it they are read as 1970–2069.
    """
    if not value:
        return None
    text = value.strip(" \t")
    for pattern in _FORMATS:
        match = pattern.fullmatch(text)
        if match is not None:
            return _epoch(match.groupdict(), now)
    return None


def format_http_date(epoch: float) -> str:
    """IMF-fixdate (RFC 9110 §5.6.7), the only format a sender may generate."""
    return email.utils.formatdate(epoch, usegmt=True)


def _epoch(parts: dict[str, str | None], now: float | None) -> float | None:
    hour, minute, second = (int(parts[k] or 0) for k in ("hour", "minute", "second"))
    day = int((parts["day"] or "").strip())
    month = _MONTHS[(parts["month"] or "").lower()]
    four_digits = parts.get("year")
    year = int(four_digits) if four_digits else _full_year(int(parts["year2"] or 0), now)
    # Leap seconds (60) are valid syntax; they fall on the next second.
    if hour > 23 or minute > 59 or second > 60 or not 1 <= day <= _days_in(year, month):
        return None
    return float(calendar.timegm((year, month, day, hour, minute, second)))


def _full_year(two_digits: int, now: float | None) -> int:
    if now is None:
        return 2000 + two_digits if two_digits < 70 else 1900 + two_digits
    this_year = time.gmtime(now).tm_year
    year = this_year - this_year % 100 + two_digits
    while year > this_year + _YEARS_AHEAD:
        year -= 100
    while year <= this_year + _YEARS_AHEAD - 100:
        year += 100
    return year


def _days_in(year: int, month: int) -> int:
    return calendar.monthrange(year, month)[1]
