"""Cache behaviours and cache keys as CloudFront defines them; Vary selection (RFC 9111 §4.1)."""

from __future__ import annotations

import pytest

from edge.config import CacheBehavior, CachePolicy, vimond_behaviors
from edge.rules.cache_key import build_key, pattern_matches, select_behavior, uri_of
from edge.rules.vary import secondary_key, vary_fields

BEHAVIORS = (
    CacheBehavior("/images/*.jpg", "A", "o"),
    CacheBehavior("/images/*", "B", "o"),
    CacheBehavior("*", "C", "o"),
)


def test_first_matching_behavior_wins() -> None:
    assert select_behavior(BEHAVIORS, "/images/a.jpg").policy == "A"
    assert select_behavior(BEHAVIORS, "/images/a.png").policy == "B"
    assert select_behavior(BEHAVIORS, "/other").policy == "C"


def test_path_patterns_are_case_sensitive_and_question_mark_is_one_char() -> None:
    assert not pattern_matches("/images/*", "/Images/a")
    assert pattern_matches("/a?c", "/abc") and not pattern_matches("/a?c", "/abbc")
    assert pattern_matches("images/*", "/images/x")  # leading slash optional


def test_vimond_images_cached_and_admin_passed_through() -> None:
    settings = vimond_behaviors("http://127.0.0.1:1")
    image = select_behavior(settings.behaviors, "/api/v2/img/abc")
    admin = select_behavior(settings.behaviors, "/adminAPI/imagePacks")
    status = select_behavior(settings.behaviors, "/api/systemsCheck")
    purge = select_behavior(settings.behaviors, "/dev-lof/images/demo/abc")
    assert not settings.policy_for(image).caching_disabled
    assert all(settings.policy_for(b).caching_disabled for b in (admin, status, purge))


def test_all_query_strings_enter_the_key_normalised() -> None:
    policy = CachePolicy("P", query_strings="all")
    a = build_key(policy, "/p", [("w", "10"), ("h", "5")], [])
    b = build_key(policy, "/p", [("h", "5"), ("w", "10")], [])
    assert a.primary == b.primary and a.uri == "/p?h=5&w=10"


def test_query_order_kept_without_normalisation() -> None:
    policy = CachePolicy("P", query_strings="all", normalize_query=False)
    assert build_key(policy, "/p", [("w", "1"), ("h", "2")], []).uri == "/p?w=1&h=2"


@pytest.mark.parametrize(
    ("behavior", "names", "uri"),
    [("none", (), "/p"), ("allow", ("w",), "/p?w=1"), ("deny", ("w",), "/p?h=2&x=3")],
)
def test_query_string_lists(behavior: str, names: tuple[str, ...], uri: str) -> None:
    policy = CachePolicy("P", query_strings=behavior, query_list=names)  # type: ignore[arg-type]
    assert build_key(policy, "/p", [("w", "1"), ("h", "2"), ("x", "3")], []).uri == uri


def test_headers_and_cookies_in_the_key_separate_entries() -> None:
    policy = CachePolicy("P", headers=("X-Tenant",), cookies="allow", cookie_list=("s",))
    a = build_key(policy, "/p", [], [("X-Tenant", "a"), ("Cookie", "s=1; other=9")])
    b = build_key(policy, "/p", [], [("X-Tenant", "b"), ("Cookie", "s=1; other=8")])
    c = build_key(policy, "/p", [], [("x-tenant", "a"), ("Cookie", "other=7; s=1")])
    assert a.primary != b.primary
    assert a.primary == c.primary  # other cookies do not enter the key
    assert uri_of(a.primary) == "/p"


def test_query_values_are_reencoded_consistently() -> None:
    policy = CachePolicy("P")
    assert build_key(policy, "/p", [("q", "a b&c")], []).uri == "/p?q=a%20b%26c"


def test_vary_fields_are_normalised_and_star_stands_alone() -> None:  # §4.1
    assert vary_fields([("Vary", "Accept-Encoding, accept"), ("Vary", "X-A")]) == (
        "accept",
        "accept-encoding",
        "x-a",
    )
    assert vary_fields([("Vary", "Accept, *")]) == ("*",)


def test_secondary_key_ignores_whitespace_and_tells_absent_from_empty() -> None:  # §4.1
    fields = ("accept-encoding",)
    assert secondary_key(fields, [("Accept-Encoding", "gzip,  br")]) == secondary_key(
        fields, [("accept-encoding", "gzip, br")]
    )
    assert secondary_key(fields, []) != secondary_key(fields, [("Accept-Encoding", "")])
