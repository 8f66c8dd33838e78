"""Profiles: CloudFront's documented TTL rules and a strict RFC 9111 shared cache."""

from __future__ import annotations

from edge.config import CachePolicy
from edge.rules.decision import Freshness, Revalidate, decide
from edge.rules.freshness import age_inputs
from edge.rules.http_date import format_http_date
from edge.rules.ttl import Heuristics, ResponseFacts, plan_storage

NOW = 1_767_225_600.0
POLICY = CachePolicy("P", min_ttl=5, default_ttl=100, max_ttl=1000)
ZERO_MIN = CachePolicy("Z", min_ttl=0, default_ttl=100, max_ttl=1000)


def facts(
    status: int = 200, *headers: tuple[str, str], request_cc: dict | None = None, auth: bool = False
) -> ResponseFacts:
    return ResponseFacts(
        "GET", status, [("Date", format_http_date(NOW)), *headers], NOW, request_cc or {}, auth
    )


def cloudfront(f: ResponseFacts, policy: CachePolicy = POLICY):  # type: ignore[no-untyped-def]
    return plan_storage("cloudfront", policy, f, Heuristics())


def rfc(f: ResponseFacts):  # type: ignore[no-untyped-def]
    return plan_storage("rfc9111", POLICY, f, Heuristics())


def test_cloudfront_clamps_max_age_to_the_policy_bounds() -> None:
    assert cloudfront(facts(200, ("Cache-Control", "max-age=1"))).ttl == 5
    assert cloudfront(facts(200, ("Cache-Control", "max-age=5000"))).ttl == 1000
    assert cloudfront(facts(200, ("Cache-Control", "max-age=50"))).ttl == 50


def test_cloudfront_uses_the_default_ttl_without_directives() -> None:
    assert cloudfront(facts(200)).ttl == 100


def test_cloudfront_min_ttl_overrides_no_store() -> None:
    plan = cloudfront(facts(200, ("Cache-Control", "no-store")))
    assert plan.refused is None and plan.ttl == 5


def test_cloudfront_honours_no_cache_when_min_ttl_is_zero() -> None:
    assert cloudfront(facts(200, ("Cache-Control", "no-cache")), ZERO_MIN).refused == "no-cache"
    assert cloudfront(facts(200, ("Cache-Control", "private")), ZERO_MIN).refused == "private"


def test_cloudfront_caches_errors_ten_seconds_by_default() -> None:
    assert cloudfront(facts(404)).ttl == 10
    assert cloudfront(facts(503)).ttl == 10
    assert cloudfront(facts(404, ("Cache-Control", "max-age=30"))).ttl == 30


def test_cloudfront_does_not_cache_errors_outside_its_list() -> None:
    assert cloudfront(facts(429)).refused == "status"


def test_cloudfront_caches_307_only_with_cache_control() -> None:
    assert cloudfront(facts(307)).refused == "status"
    assert cloudfront(facts(307, ("Cache-Control", "max-age=20"))).ttl == 20


def test_cloudfront_zero_ttl_without_validators_is_not_stored() -> None:
    assert cloudfront(facts(200), CachePolicy("D", 0, 0, 0)).refused == "zero-ttl"
    assert cloudfront(facts(200, ("ETag", '"x"')), CachePolicy("D", 0, 0, 10)).refused is None


def test_rfc9111_ignores_policy_ttls_and_uses_the_origin_lifetime() -> None:  # §4.2.1
    assert rfc(facts(200, ("Cache-Control", "max-age=1"))).ttl == 1


def test_rfc9111_refuses_no_store_and_private() -> None:  # §5.2.2.5, §5.2.2.7
    assert rfc(facts(200, ("Cache-Control", "no-store"))).refused == "no-store"
    assert rfc(facts(200, ("Cache-Control", "private, max-age=60"))).refused == "private"


def test_rfc9111_refuses_when_the_request_said_no_store() -> None:  # §5.2.1.5
    assert (
        rfc(facts(200, ("Cache-Control", "max-age=60"), request_cc={"no-store": None})).refused
        == "request-no-store"
    )


def test_rfc9111_stores_no_cache_but_always_revalidates() -> None:  # §5.2.2.4
    plan = rfc(facts(200, ("Cache-Control", "no-cache"), ("ETag", '"v1"')))
    assert plan.refused is None and plan.always_revalidate


def test_rfc9111_authorization_needs_public_or_s_maxage() -> None:  # §3.5
    assert rfc(facts(200, ("Cache-Control", "max-age=60"), auth=True)).refused == "authorization"
    assert rfc(facts(200, ("Cache-Control", "s-maxage=60"), auth=True)).refused is None


def test_rfc9111_heuristic_freshness_for_a_200_with_last_modified() -> None:  # §4.2.2
    plan = rfc(facts(200, ("Last-Modified", format_http_date(NOW - 1000))))
    assert plan.ttl == 100


def test_rfc9111_does_not_store_a_500_without_explicit_freshness() -> None:  # §3
    assert rfc(facts(500)).refused == "no-freshness"
    assert rfc(facts(500, ("Cache-Control", "max-age=5"))).ttl == 5


def test_stale_windows_come_from_rfc5861_directives() -> None:
    plan = rfc(
        facts(200, ("Cache-Control", "max-age=10, stale-while-revalidate=30, stale-if-error=300"))
    )
    assert (plan.stale_while_revalidate, plan.stale_if_error) == (30, 300)


def test_must_revalidate_and_s_maxage_forbid_stale_serving() -> None:  # §5.2.2.2, §5.2.2.10
    plan = rfc(facts(200, ("Cache-Control", "s-maxage=10, stale-if-error=300")))
    assert plan.no_stale and plan.stale_if_error == 0
    assert cloudfront(
        facts(200, ("Cache-Control", "max-age=10, must-revalidate, stale-if-error=9"))
    ).no_stale


def test_vary_star_is_never_stored() -> None:  # §4.1
    assert rfc(facts(200, ("Cache-Control", "max-age=60"), ("Vary", "*"))).refused == "vary-star"
    assert cloudfront(facts(200, ("Vary", "Accept, *"))).refused == "vary-star"


def test_an_invalid_age_makes_the_response_stale_at_once() -> None:  # RFC 9111 §5.1
    plan = rfc(facts(200, ("Cache-Control", "max-age=3600"), ("Age", "old"), ("ETag", '"a"')))
    assert plan.refused is None and plan.ttl == 0 and plan.no_stale
    assert rfc(facts(200, ("Cache-Control", "max-age=3600"), ("Age", "-1"))).refused == "zero-ttl"


def test_qualified_no_cache_and_private_only_keep_those_fields_out() -> None:  # §5.2.2.4, .7
    plan = rfc(facts(200, ("Cache-Control", 'max-age=60, no-cache="Set-Cookie, a"')))
    assert plan.refused is None and not plan.always_revalidate
    assert plan.omit_fields == ("set-cookie", "a")
    private = rfc(facts(200, ("Cache-Control", 'max-age=60, private="b"')))
    assert private.refused is None and private.omit_fields == ("b",)


def test_a_single_part_206_is_stored_as_partial_content() -> None:  # §3.3
    ok = facts(206, ("Cache-Control", "max-age=60"), ("Content-Range", "bytes 0-4/10"))
    assert rfc(ok).refused is None and cloudfront(ok).refused is None
    several = facts(206, ("Cache-Control", "max-age=60"), ("Content-Type", "multipart/byteranges"))
    assert rfc(several).refused == "status" and cloudfront(several).refused == "status"


def test_a_ranged_request_stores_only_200_or_206() -> None:  # never a 416 under the URI
    ranged = ResponseFacts("GET", 416, [("Date", format_http_date(NOW))], NOW, {}, ranged=True)
    assert rfc(ranged).refused == "range-status"
    assert cloudfront(ranged).refused == "range-status"


def test_a_stale_immutable_response_is_revalidated_like_any_other() -> None:  # RFC 8246 §2
    headers = [("Date", format_http_date(NOW)), ("Cache-Control", "max-age=10, immutable")]
    plan = rfc(ResponseFacts("GET", 200, headers, NOW, {}))
    stored = Freshness(age_inputs(headers, NOW, NOW), plan.ttl)
    assert decide(stored, NOW + 20, {}, miss_reason="uri-miss") == Revalidate("stale")
