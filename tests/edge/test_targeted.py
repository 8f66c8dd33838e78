"""Targeted cache control, RFC 9213: CDN-Cache-Control (and vendors' fields) over Cache-Control."""

from __future__ import annotations

import pytest

from edge.config import CachePolicy
from edge.rules.http_date import format_http_date
from edge.rules.targeted import parse_sf_dictionary, response_directives, targeted_directives
from edge.rules.ttl import Heuristics, ResponseFacts, StoragePlan, plan_storage

NOW = 1_767_225_600.0
POLICY = CachePolicy("P", min_ttl=0, default_ttl=100, max_ttl=10**9)
CDN = ("CDN-Cache-Control",)


def plan(*headers: tuple[str, str], targeted: tuple[str, ...] = CDN) -> StoragePlan:
    facts = ResponseFacts(
        "GET", 200, [("Date", format_http_date(NOW)), *headers], NOW, {}, targeted=targeted
    )
    return plan_storage("rfc9111", POLICY, facts, Heuristics())


def test_a_structured_dictionary_parses_to_its_members() -> None:  # RFC 8941 §4.2.2
    assert parse_sf_dictionary('max-age=60, no-cache="set-cookie", foo;a=1, bar=(1 2)') == {
        "max-age": 60,
        "no-cache": "set-cookie",
        "foo": True,
        "bar": (1, 2),
    }


@pytest.mark.parametrize(
    "value",
    ["max-age=10000, &&&&&", "MaX-aGe=10", "max-age =10", "max-age= 10", "a,", 'a="x', "a=1.2345"],
)
def test_an_invalid_targeted_field_is_ignored(value: str) -> None:  # RFC 9213 §2.1
    assert targeted_directives([value]) is None


def test_an_empty_targeted_field_is_ignored() -> None:  # §2.1
    assert targeted_directives([""]) is None
    assert targeted_directives([]) is None


def test_a_directive_of_the_wrong_type_is_dropped_and_the_rest_governs() -> None:  # §2.1
    assert targeted_directives(['max-age="10000", no-store']) == {"no-store": None}
    assert targeted_directives(["max-age=1.5, public"]) == {"public": None}


def test_the_first_valid_targeted_field_governs_instead_of_cache_control() -> None:  # §2.2
    headers = [
        ("Cache-Control", "no-store"),
        ("Akamai-Cache-Control", "bogus=&"),
        ("CDN-Cache-Control", "max-age=60"),
    ]
    assert response_directives(headers, ("Akamai-Cache-Control", "CDN-Cache-Control")) == {
        "max-age": "60"
    }
    assert response_directives(headers, ()) == {"no-store": None}


def test_cdn_max_age_zero_wins_over_a_future_expires() -> None:
    expires = ("Expires", format_http_date(NOW + 10000))
    assert plan(("CDN-Cache-Control", "max-age=0"), expires).refused == "zero-ttl"


def test_a_shorter_cdn_max_age_wins_over_cache_control() -> None:
    assert plan(("Cache-Control", "max-age=3600"), ("CDN-Cache-Control", "max-age=1")).ttl == 1


def test_a_longer_cdn_max_age_wins_over_cache_control() -> None:
    assert plan(("Cache-Control", "max-age=1"), ("CDN-Cache-Control", "max-age=3600")).ttl == 3600


def test_cdn_private_no_cache_and_no_store_govern() -> None:
    fresh = (("Cache-Control", "max-age=10000"), ("Expires", format_http_date(NOW + 10000)))
    assert plan(("CDN-Cache-Control", "private"), *fresh).refused == "private"
    assert plan(("CDN-Cache-Control", "no-store"), *fresh).refused == "no-store"
    no_cache = plan(("CDN-Cache-Control", "no-cache"), *fresh, ("ETag", '"a"'))
    assert no_cache.refused is None and no_cache.always_revalidate


def test_a_fresh_cdn_max_age_allows_storing_despite_cache_control_no_store() -> None:
    stored = plan(("Cache-Control", "no-store"), ("CDN-Cache-Control", "max-age=10000"))
    assert stored.refused is None and stored.ttl == 10000


def test_a_huge_cdn_max_age_is_capped() -> None:  # RFC 9111 §1.2.2
    assert plan(("CDN-Cache-Control", "max-age=99999999999")).ttl == 2**31


def test_a_cache_without_targeted_fields_ignores_them() -> None:  # the cloudfront profile
    headers = (("Cache-Control", "max-age=5"), ("CDN-Cache-Control", "max-age=500"))
    assert plan(*headers, targeted=()).ttl == 5


def test_a_vendor_field_goes_first_when_the_policy_names_it() -> None:
    headers = (("CDN-Cache-Control", "max-age=500"), ("Akamai-Cache-Control", "max-age=50"))
    assert plan(*headers, targeted=("Akamai-Cache-Control", "CDN-Cache-Control")).ttl == 50
    assert plan(*headers).ttl == 500
