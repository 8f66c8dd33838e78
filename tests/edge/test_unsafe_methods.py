"""Which URIs an unsafe request invalidates, RFC 9111 §4.4."""

from __future__ import annotations

from edge.rules.unsafe import invalidated_targets

HOSTS = {"cdn.example", "127.0.0.1:8081"}


def targets(method: str = "POST", status: int = 200, *headers: tuple[str, str]):  # type: ignore[no-untyped-def]
    return invalidated_targets(method, status, "/a/b", "x=1", HOSTS, headers)


def test_a_successful_unsafe_request_invalidates_its_target() -> None:
    for method in ("POST", "PUT", "DELETE", "PATCH", "M-SEARCH"):
        assert targets(method) == (("/a/b", "x=1"),)
    assert targets("POST", 303) == (("/a/b", "x=1"),)  # 3xx counts as success


def test_safe_methods_and_errors_invalidate_nothing() -> None:
    for method in ("GET", "HEAD", "OPTIONS", "TRACE"):
        assert targets(method) == ()
    assert targets("POST", 500) == ()
    assert targets("DELETE", 404) == ()


def test_location_and_content_location_on_the_same_origin() -> None:
    found = targets(
        "POST",
        201,
        ("Location", "c?y=2"),
        ("Content-Location", "http://127.0.0.1:8081/d"),
    )
    assert found == (("/a/b", "x=1"), ("/a/c", "y=2"), ("/d", ""))


def test_another_origin_is_never_invalidated() -> None:
    found = targets(
        "POST",
        201,
        ("Location", "http://elsewhere.example/c"),
        ("Content-Location", "https://cdn.example/d"),  # another scheme is another origin
    )
    assert found == (("/a/b", "x=1"),)


def test_an_unparseable_location_is_ignored() -> None:
    assert targets("POST", 201, ("Location", "http://[bad/")) == (("/a/b", "x=1"),)
