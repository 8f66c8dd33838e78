"""A source's cache TTL behaviour decides how long the POPs keep its images: shown on the
manual clock under both edge profiles, plus the pure rule."""

from __future__ import annotations

import pytest

from tests.vendors.imgix.conftest import Stack, image_bytes
from vendors.imgix.cache_ttl import image_cache_control, origin_lifetime

PROFILES = pytest.mark.parametrize("profile", ["cloudfront", "rfc9111"])


def ours(headers: object) -> str:
    return str(headers["Cache-Status"]).split(",")[-1]  # type: ignore[index]


async def kept_for(stack: Stack, path: str, ttl: int) -> None:
    """The first request stores the image for exactly ``ttl`` seconds at the POP."""
    origin_path = "/images" + path.split("?")[0]
    before = stack.folder.counts[origin_path]
    _, _, headers = await stack.get(path)
    assert "stored" in ours(headers) and f"ttl={ttl}" in ours(headers), headers["Cache-Status"]
    await stack.clock.advance(ttl - 1)
    _, _, headers = await stack.get(path)
    assert "hit" in ours(headers) and stack.folder.counts[origin_path] == before + 1
    await stack.clock.advance(2)
    _, _, headers = await stack.get(path)
    assert "fwd=" in ours(headers) and stack.folder.counts[origin_path] == before + 2


@PROFILES
async def test_respect_origin_uses_the_origins_max_age(stack: Stack, profile: str) -> None:
    stack.folder.put("/images/a.png", image_bytes(), Cache_Control="public, max-age=100")
    stack.folder.put("/images/b.png", image_bytes())
    stack.folder.put("/images/c.png", image_bytes(), Cache_Control="no-store")
    await stack.create_source(cache_ttl_behavior="respect_origin", cache_ttl_value=500)
    await kept_for(stack, "/a.png?w=10", 100)
    await kept_for(stack, "/b.png?w=10", 500)  # the origin says nothing: cache_ttl_value
    _, _, headers = await stack.get("/c.png")
    assert "stored" not in ours(headers)


@PROFILES
async def test_override_origin_ignores_the_origin(stack: Stack, profile: str) -> None:
    stack.folder.put("/images/a.png", image_bytes(), Cache_Control="public, max-age=100")
    await stack.create_source(cache_ttl_behavior="override_origin", cache_ttl_value=500)
    await kept_for(stack, "/a.png?w=10", 500)


@PROFILES
async def test_enforce_minimum_raises_short_origin_lifetimes_only(
    stack: Stack, profile: str
) -> None:
    stack.folder.put("/images/short.png", image_bytes(), Cache_Control="max-age=100")
    stack.folder.put("/images/long.png", image_bytes(), Cache_Control="max-age=1000")
    await stack.create_source(cache_ttl_behavior="enforce_minimum", cache_ttl_value=500)
    await kept_for(stack, "/short.png?w=10", 500)
    await kept_for(stack, "/long.png?w=10", 1000)


@PROFILES
async def test_errors_are_kept_for_cache_ttl_error(stack: Stack, profile: str) -> None:
    await stack.create_source(cache_ttl_error=20)
    status, _, headers = await stack.get("/late.png")
    assert status == 404 and "ttl=20" in ours(headers)
    stack.folder.put("/images/late.png", image_bytes())
    await stack.clock.advance(19)
    status, _, headers = await stack.get("/late.png")
    assert status == 404 and "hit" in ours(headers)
    await stack.clock.advance(2)
    status, _, _ = await stack.get("/late.png")
    assert status == 200


def test_the_rule_for_each_behaviour() -> None:
    dep = {"cache_ttl_value": 500}
    for behavior, origin, expected in [
        ("respect_origin", 100.0, "public, max-age=100"),
        ("respect_origin", None, "public, max-age=500"),
        ("respect_origin", 0.0, "no-store"),
        ("override_origin", 100.0, "public, max-age=500"),
        ("enforce_minimum", 100.0, "public, max-age=500"),
        ("enforce_minimum", 900.0, "public, max-age=900"),
        ("enforce_minimum", None, "public, max-age=500"),
    ]:
        assert image_cache_control({**dep, "cache_ttl_behavior": behavior}, origin) == expected


def test_origin_lifetime_reads_s_maxage_max_age_and_expires() -> None:
    assert origin_lifetime([("Cache-Control", "max-age=60, s-maxage=30")]) == 30
    assert origin_lifetime([("Cache-Control", "private, max-age=60")]) == 0
    assert (
        origin_lifetime(
            [
                ("Expires", "Thu, 01 Jan 2026 00:10:00 GMT"),
                ("Date", "Thu, 01 Jan 2026 00:00:00 GMT"),
            ]
        )
        == 600
    )
    assert origin_lifetime([("Expires", "garbage")]) == 0
    assert origin_lifetime([]) is None
