"""Validators of a stored or fetched response, RFC 9110 §8.8, and what they allow:
``If-Range`` (§13.1.5) and combining partial responses (RFC 9111 §3.4) both need a
*strong* validator: an ETag without ``W/``, or a Last-Modified at least a second before
the response's Date (§8.8.2.2)."""

from __future__ import annotations

from dataclasses import dataclass

from edge.rules.cache_control import HeaderList, header_value
from edge.rules.http_date import parse_http_date


@dataclass(frozen=True)
class Validators:
    """What a response can be validated with: its ETag, Last-Modified and Date fields."""

    etag: str | None = None
    last_modified: str | None = None
    date: str | None = None

    @classmethod
    def of(cls, headers: HeaderList) -> Validators:
        return cls(
            header_value(headers, "etag"),
            header_value(headers, "last-modified"),
            header_value(headers, "date"),
        )

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
