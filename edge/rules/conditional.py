"""A viewer's preconditions against the response the cache would send, RFC 9110 §13.

The POP evaluates them on what it serves (a stored or freshly fetched response), in
the order of RFC 9110 §13.2.2: ``If-Match``, else ``If-Unmodified-Since``; then
``If-None-Match``, else ``If-Modified-Since`` (which RFC 9111 §4.3.2 compares with the
stored ``Last-Modified``, else its ``Date``). ``If-Range`` belongs to range handling
(:mod:`edge.rules.ranges`). Preconditions apply only to a 2xx answer (§13.2.1).

The caller matches on the answer and ends in ``typing.assert_never``.
"""

from __future__ import annotations

from dataclasses import dataclass

from edge.rules.http_date import parse_http_date
from edge.rules.validators import Validators


@dataclass(frozen=True)
class Preconditions:
    """The viewer's conditional fields, as received (None when absent)."""

    if_match: str | None = None
    if_none_match: str | None = None
    if_modified_since: str | None = None
    if_unmodified_since: str | None = None

    def any(self) -> bool:
        return not (
            self.if_match is None
            and self.if_none_match is None
            and self.if_modified_since is None
            and self.if_unmodified_since is None
        )


@dataclass(frozen=True)
class Proceed:
    """Answer as if the request were unconditional."""


@dataclass(frozen=True)
class NotModified:
    """304 (§15.4.5): the viewer's copy is current."""


@dataclass(frozen=True)
class PreconditionFailed:
    """412 (§15.5.13)."""


Evaluation = Proceed | NotModified | PreconditionFailed


def evaluate(method: str, status: int, pre: Preconditions, validators: Validators) -> Evaluation:
    """The outcome of the viewer's preconditions on a response of ``status`` with
    ``validators`` (§13.2.2)."""
    if not 200 <= status < 300:
        return Proceed()
    safe = method in ("GET", "HEAD")
    if pre.if_match is not None:
        if not _match(pre.if_match, validators.etag, strong=True):
            return PreconditionFailed()
    elif pre.if_unmodified_since is not None and (
        _modified_after(pre.if_unmodified_since, validators.last_modified) is True
    ):
        return PreconditionFailed()
    if pre.if_none_match is not None:
        if _match(pre.if_none_match, validators.etag, strong=False):
            return NotModified() if safe else PreconditionFailed()
    elif safe and pre.if_modified_since is not None:
        since = validators.last_modified or validators.date
        if _modified_after(pre.if_modified_since, since) is False:
            return NotModified()
    return Proceed()


def _match(field: str, etag: str | None, *, strong: bool) -> bool:
    """§13.1.1/§13.1.2: ``*`` matches any current representation; otherwise one of the
    listed tags must match ``etag`` (strong comparison for If-Match, weak otherwise)."""
    members = [m.strip() for m in field.split(",") if m.strip()]
    if "*" in members:
        return True
    if etag is None:
        return False
    if strong:
        return not etag.startswith("W/") and etag in members
    opaque = etag.removeprefix("W/")
    return any(m.removeprefix("W/") == opaque for m in members)


def _modified_after(since: str, modified: str | None) -> bool | None:
    """Whether the representation changed after ``since``; None when the field must be
    ignored: an invalid date, or no modification date to compare with (§13.1.3, §13.1.4)."""
    since_epoch = parse_http_date(since)
    modified_epoch = parse_http_date(modified)
    if since_epoch is None or modified_epoch is None:
        return None
    return modified_epoch > since_epoch
