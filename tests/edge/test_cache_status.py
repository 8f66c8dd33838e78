"""RFC 9211 Cache-Status formatting."""

from __future__ import annotations

from edge.rules.cache_status import CacheStatus, append_entry, format_entry


def test_hit_entry_has_hit_and_ttl() -> None:  # RFC 9211 §2.1, §2.4
    assert format_entry(CacheStatus("pop-1", hit=True, ttl=12.7)) == "pop-1; hit; ttl=12"


def test_forwarded_entry_lists_fwd_status_stored_collapsed() -> None:  # §2.2, §2.3, §2.5, §2.6
    entry = CacheStatus(
        "pop-1", fwd="uri-miss", fwd_status=200, ttl=60, stored=True, collapsed=True
    )
    assert format_entry(entry) == "pop-1; fwd=uri-miss; fwd-status=200; ttl=60; stored; collapsed"


def test_key_is_an_escaped_sf_string() -> None:  # §2.7, RFC 8941 §3.3.3
    assert format_entry(CacheStatus("pop-1", hit=True, key='/a?q="x"\nh:host=é')) == (
        'pop-1; hit; key="/a?q=\\"x\\"%0Ah:host=%C3%A9"'
    )


def test_upstream_entries_come_first() -> None:  # §2: closest to the origin first
    assert append_entry("shield; hit", CacheStatus("pop-1", fwd="uri-miss", fwd_status=200)) == (
        "shield; hit, pop-1; fwd=uri-miss; fwd-status=200"
    )


def test_a_cache_name_that_is_not_a_token_is_quoted() -> None:
    assert format_entry(CacheStatus("1pop", hit=True)) == '"1pop"; hit'
