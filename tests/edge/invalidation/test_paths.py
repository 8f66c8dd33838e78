"""Invalidation paths: what CloudFront accepts, and which cached URIs each one covers."""

from __future__ import annotations

import pytest

from edge.invalidation.paths import (
    MAX_PATH_LENGTH,
    InvalidPath,
    covering,
    is_wildcard,
    path_matches,
    validate_path,
)


@pytest.mark.parametrize(
    "path",
    [
        "/",
        "/*",
        "/images/image1.jpg",
        "/images/image*",
        "/api/v2/img/p1?location=main&width=10",
        "/a%20b",
    ],
)
def test_valid_paths_are_returned_unchanged(path: str) -> None:
    assert validate_path(path) == path


@pytest.mark.parametrize(
    ("path", "reason"),
    [
        ("", "non-empty"),
        ("images/a.jpg", "begin with '/'"),
        ("/images/*/a.jpg", "last character"),
        ("/a**", "last character"),
        ("*", "begin with '/'"),
        ("/a b.jpg", "whitespace"),
        ("/a\tb", "whitespace"),
        ("/a\x00b", "control"),
        ("/a\x7f", "control"),
        ("/bilder/blåbær.jpg", "URL-encode"),
        ("/" + "a" * MAX_PATH_LENGTH, "at most 4000"),
    ],
)
def test_invalid_paths_are_refused_with_the_reason(path: str, reason: str) -> None:
    with pytest.raises(InvalidPath, match=reason):
        validate_path(path)


def test_a_path_of_exactly_the_maximum_length_is_accepted() -> None:
    path = "/" + "a" * (MAX_PATH_LENGTH - 1)
    assert validate_path(path) == path


def test_non_string_paths_are_refused() -> None:
    with pytest.raises(InvalidPath):
        validate_path(None)  # type: ignore[arg-type]


def test_an_exact_path_matches_only_itself() -> None:
    assert path_matches("/images/a.jpg", "/images/a.jpg")
    assert not path_matches("/images/a.jpg", "/images/a.jpg.bak")
    assert not path_matches("/images/a.jpg", "/images/a")


def test_matching_is_case_sensitive() -> None:
    assert not path_matches("/images/image.jpg", "/images/Image.jpg")
    assert not path_matches("/Images/*", "/images/a.jpg")


def test_an_exact_path_does_not_cover_query_string_variants() -> None:
    assert not path_matches("/images/a.jpg", "/images/a.jpg?w=10")
    assert path_matches("/images/a.jpg?w=10", "/images/a.jpg?w=10")
    assert not path_matches("/images/a.jpg?w=10", "/images/a.jpg?w=20")


def test_a_wildcard_covers_every_uri_with_that_prefix_query_strings_included() -> None:
    for uri in ("/images/a.jpg", "/images/a.jpg?w=10", "/images/a.jpg.png", "/images/a.jpg/x"):
        assert path_matches("/images/a.jpg*", uri)
    assert not path_matches("/images/a.jpg*", "/images/a.jp")


def test_a_directory_wildcard_covers_subdirectories_but_not_the_directory_without_slash() -> None:
    assert path_matches("/images/*", "/images/deep/down/a.jpg")
    assert not path_matches("/images/*", "/images")
    assert path_matches("/images*", "/images")
    assert path_matches("/images*", "/images-old/a.jpg")


def test_root_wildcard_covers_everything() -> None:
    assert all(path_matches("/*", uri) for uri in ("/", "/a", "/a/b?c=d"))


def test_wildcard_paths_are_told_apart_from_file_paths() -> None:
    assert is_wildcard("/a/*")
    assert not is_wildcard("/a/b.jpg")


def test_covering_decides_like_path_matches_over_a_whole_invalidation() -> None:
    patterns = ["/images/a.jpg", "/images/b*", "/x?y=1"]
    uris = [
        "/images/a.jpg",
        "/images/a.jpg?w=1",
        "/images/b",
        "/images/bc/d",
        "/images/c",
        "/x?y=1",
        "/x?y=2",
    ]
    covered = covering(patterns)
    for uri in uris:
        assert covered(uri) == any(path_matches(p, uri) for p in patterns), uri
    assert not covering([])("/images/a.jpg")
