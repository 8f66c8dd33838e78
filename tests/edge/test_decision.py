"""The hit / stale / revalidate / miss decision: RFC 9111 §4.2, §5.2.1 and RFC 5861."""

from __future__ import annotations

from edge.rules.decision import (
    FreshHit,
    Freshness,
    Miss,
    OnlyIfCachedMiss,
    Revalidate,
    StaleWhileRevalidate,
    decide,
    stale_if_error_allows,
)
from edge.rules.freshness import AgeInputs

T0 = 1_000_000.0


def stored(ttl: float = 60, **kwargs: object) -> Freshness:
    return Freshness(AgeInputs(T0, T0, T0, 0), ttl, **kwargs)  # type: ignore[arg-type]


def test_nothing_stored_is_a_uri_miss() -> None:
    assert decide(None, T0, {}, miss_reason="uri-miss") == Miss("uri-miss")


def test_fresh_entry_is_a_hit() -> None:  # §4.2
    assert decide(stored(), T0 + 59, {}, miss_reason="uri-miss") == FreshHit()


def test_stale_entry_is_revalidated() -> None:  # §4.2
    assert decide(stored(), T0 + 61, {}, miss_reason="uri-miss") == Revalidate("stale")


def test_stale_within_stale_while_revalidate_is_served_and_refreshed() -> None:  # RFC 5861 §3
    entry = stored(stale_while_revalidate=30)
    assert decide(entry, T0 + 80, {}, miss_reason="uri-miss") == StaleWhileRevalidate()
    assert decide(entry, T0 + 91, {}, miss_reason="uri-miss") == Revalidate("stale")


def test_no_cache_response_always_revalidates() -> None:  # §5.2.2.4
    assert decide(stored(always_revalidate=True), T0, {}, miss_reason="uri-miss") == Revalidate(
        "stale"
    )


def test_request_no_cache_forwards_a_fresh_entry() -> None:  # §5.2.1.4, RFC 9211 fwd=request
    assert decide(stored(), T0, {"no-cache": None}, miss_reason="uri-miss") == Revalidate("request")


def test_request_max_age_refuses_an_older_entry() -> None:  # §5.2.1.1
    assert decide(stored(), T0 + 30, {"max-age": "10"}, miss_reason="uri-miss") == Revalidate(
        "request"
    )
    assert decide(stored(), T0 + 5, {"max-age": "10"}, miss_reason="uri-miss") == FreshHit()


def test_request_min_fresh_needs_remaining_lifetime() -> None:  # §5.2.1.3
    assert decide(stored(), T0 + 50, {"min-fresh": "20"}, miss_reason="uri-miss") == Revalidate(
        "request"
    )


def test_request_max_stale_accepts_a_stale_entry() -> None:  # §5.2.1.2
    assert decide(stored(), T0 + 70, {"max-stale": "20"}, miss_reason="uri-miss") == FreshHit()
    assert decide(stored(), T0 + 90, {"max-stale": "20"}, miss_reason="uri-miss") == Revalidate(
        "stale"
    )


def test_must_revalidate_beats_max_stale() -> None:  # §5.2.2.2
    assert decide(
        stored(no_stale=True), T0 + 70, {"max-stale": None}, miss_reason="uri-miss"
    ) == Revalidate("stale")


def test_only_if_cached_without_a_usable_entry_is_a_504_case() -> None:  # §5.2.1.7
    assert decide(None, T0, {"only-if-cached": None}, miss_reason="uri-miss") == OnlyIfCachedMiss()
    assert decide(stored(), T0, {"only-if-cached": None}, miss_reason="uri-miss") == FreshHit()


def test_stale_if_error_window_from_response_or_request() -> None:  # RFC 5861 §4
    entry = stored(stale_if_error=100)
    assert stale_if_error_allows(entry, T0 + 150, {})
    assert not stale_if_error_allows(entry, T0 + 170, {})
    assert stale_if_error_allows(stored(), T0 + 170, {"stale-if-error": "200"})


def test_stale_if_error_forbidden_by_must_revalidate() -> None:  # RFC 9111 §4.2.4
    assert not stale_if_error_allows(stored(stale_if_error=100, no_stale=True), T0 + 61, {})
