"""Fields about one connection are neither stored nor forwarded, RFC 9110 §7.6.1."""

from __future__ import annotations

from edge.config import CachePolicy
from edge.forwarding import cached_request_headers, passthrough_headers
from edge.rules.connection import end_to_end, nominated


def test_fields_named_in_connection_are_dropped_with_it() -> None:
    headers = (
        ("Connection", "a, B"),
        ("Connection", "keep-alive"),
        ("a", "1"),
        ("b", "2"),
        ("c", "3"),
        ("Keep-Alive", "timeout=5"),
        ("Transfer-Encoding", "chunked"),
    )
    assert end_to_end(headers) == (("c", "3"),)
    assert {"a", "b", "keep-alive", "connection"} <= nominated(headers)


def test_requests_upstream_lose_them_too() -> None:
    headers = (("Connection", "x-hop"), ("X-Hop", "1"), ("X-End", "2"), ("TE", "trailers"))
    assert passthrough_headers(headers) == [("X-End", "2")]
    policy = CachePolicy("P")
    assert cached_request_headers(headers, policy, forward_cache_control=True) == [("X-End", "2")]


def test_authorization_goes_upstream_when_the_profile_forwards_it() -> None:  # RFC 9111 §3.5
    headers = (("Authorization", "Bearer t"), ("Accept", "*/*"))
    policy = CachePolicy("P")
    assert cached_request_headers(headers, policy, forward_cache_control=True) == [
        ("Accept", "*/*")
    ]
    assert cached_request_headers(
        headers, policy, forward_cache_control=True, forward_authorization=True
    ) == [("Authorization", "Bearer t"), ("Accept", "*/*")]
