"""A viewer's preconditions on what the POP serves, RFC 9110 §13.2.2 and RFC 9111 §4.3.2."""

from __future__ import annotations

from edge.rules.conditional import (
    NotModified,
    PreconditionFailed,
    Preconditions,
    Proceed,
    evaluate,
)
from edge.rules.validators import Validators

LM = "Thu, 01 Jan 2026 00:00:00 GMT"
BEFORE = "Wed, 31 Dec 2025 00:00:00 GMT"
AFTER = "Fri, 02 Jan 2026 00:00:00 GMT"
STORED = Validators('"v1"', LM, AFTER)


def check(
    pre: Preconditions, validators: Validators = STORED, method: str = "GET", status: int = 200
):  # type: ignore[no-untyped-def]
    return evaluate(method, status, pre, validators)


def test_if_modified_since_compares_with_last_modified() -> None:  # §13.1.3
    assert check(Preconditions(if_modified_since=LM)) == NotModified()
    assert check(Preconditions(if_modified_since=AFTER)) == NotModified()
    assert check(Preconditions(if_modified_since=BEFORE)) == Proceed()


def test_without_last_modified_the_date_counts() -> None:  # RFC 9111 §4.3.2
    no_lm = Validators(None, None, LM)
    assert check(Preconditions(if_modified_since=AFTER), no_lm) == NotModified()
    assert check(Preconditions(if_modified_since=BEFORE), no_lm) == Proceed()
    assert check(Preconditions(if_modified_since=AFTER), Validators()) == Proceed()


def test_an_invalid_if_modified_since_is_ignored() -> None:  # §13.1.3
    assert check(Preconditions(if_modified_since="yesterday")) == Proceed()
    assert check(Preconditions(if_modified_since=f"{AFTER}, {AFTER}")) == Proceed()


def test_if_none_match_takes_precedence_over_if_modified_since() -> None:  # §13.2.2
    assert check(Preconditions(if_none_match='"other"', if_modified_since=AFTER)) == Proceed()
    assert check(Preconditions(if_none_match='W/"v1"', if_modified_since=BEFORE)) == NotModified()
    assert check(Preconditions(if_none_match="*")) == NotModified()


def test_if_match_fails_unless_a_strong_tag_matches() -> None:  # §13.1.1
    assert check(Preconditions(if_match='"v1"')) == Proceed()
    assert check(Preconditions(if_match='"v2"')) == PreconditionFailed()
    assert check(Preconditions(if_match='W/"v1"')) == PreconditionFailed()
    assert check(Preconditions(if_match="*")) == Proceed()


def test_if_unmodified_since_fails_when_modified_later() -> None:  # §13.1.4
    assert check(Preconditions(if_unmodified_since=BEFORE)) == PreconditionFailed()
    assert check(Preconditions(if_unmodified_since=AFTER)) == Proceed()
    # If-Match present: If-Unmodified-Since is not evaluated
    assert check(Preconditions(if_match='"v1"', if_unmodified_since=BEFORE)) == Proceed()


def test_preconditions_apply_only_to_2xx() -> None:  # §13.2.1
    assert check(Preconditions(if_none_match='"v1"'), status=404) == Proceed()


def test_if_modified_since_only_for_get_and_head() -> None:  # §13.1.3
    assert check(Preconditions(if_modified_since=AFTER), method="HEAD") == NotModified()
    assert check(Preconditions(if_modified_since=AFTER), method="POST") == Proceed()
