"""What a POP forwards upstream (RFC 9111 §4.3)."""

from __future__ import annotations

from edge.config import CachePolicy
from edge.forwarding import cached_request_headers, merge_fields, upstream_url, validators_of


def test_304_replaces_stored_fields_but_keeps_content_length() -> None:  # RFC 9111 §4.3.4, §3.2
    stored = (("Content-Length", "10"), ("Cache-Control", "max-age=10"), ("X-A", "1"), ("X-A", "2"))
    fresh = (("Cache-Control", "max-age=20"), ("X-A", "3"), ("Content-Length", "0"))
    assert merge_fields(stored, fresh, on_304=True) == (
        ("Content-Length", "10"),
        ("Cache-Control", "max-age=20"),
        ("X-A", "3"),
    )


def test_validators_come_from_the_stored_response() -> None:  # RFC 9111 §4.3.1
    stored = (("ETag", '"a"'), ("Last-Modified", "Thu, 01 Jan 2026 00:00:00 GMT"))
    assert validators_of(stored) == [
        ("If-None-Match", '"a"'),
        ("If-Modified-Since", "Thu, 01 Jan 2026 00:00:00 GMT"),
    ]


def test_only_key_headers_and_no_client_conditionals_go_upstream() -> None:
    policy = CachePolicy("P", headers=("Host",))
    headers = (
        ("Host", "demo.example"),
        ("Authorization", "Bearer x"),
        ("Cookie", "a=1"),
        ("If-None-Match", '"client"'),
        ("Connection", "keep-alive"),
        ("Accept", "image/webp"),
        ("Cache-Control", "no-cache"),
    )
    forwarded = cached_request_headers(
        headers, policy, forward_cache_control=False, validators=[("If-None-Match", '"pop"')]
    )
    assert forwarded == [
        ("Host", "demo.example"),
        ("Accept", "image/webp"),
        ("If-None-Match", '"pop"'),
    ]


def test_upstream_url_keeps_the_encoded_path() -> None:
    assert (
        str(upstream_url("http://127.0.0.1:9/", "/a%20b/c", "x=1"))
        == "http://127.0.0.1:9/a%20b/c?x=1"
    )
