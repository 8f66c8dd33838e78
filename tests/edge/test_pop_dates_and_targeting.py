"""Through a POP: invalid Expires and Age (RFC 9111 §5.3, §5.1) and targeted cache
control (RFC 9213), per profile."""

from __future__ import annotations

import aiohttp
import pytest

from common.clock import Clock
from edge.config import CachePolicy
from edge.rules.http_date import format_http_date
from tests.edge.conftest import MakeEdge, edge_settings
from tests.edge.origin_double import OriginDouble
from tests.edge.test_freshness import INVALID_EXPIRES
from tests.edge.test_pop_caching import get


@pytest.mark.parametrize("profile", ["rfc9111", "cloudfront"])
async def test_an_invalid_expires_is_never_served_as_fresh(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, profile: str
) -> None:
    policy = CachePolicy("Origin", 0.0, 0.0, 10**9)  # cloudfront: the origin's headers decide
    edge = await make_edge(edge_settings(origin.url, profile=profile, policy=policy))
    for i, expires in enumerate(INVALID_EXPIRES):
        origin.reply(f"/e{i}", headers={"Expires": expires})
        url = f"{edge.pop_urls['pop-1']}/e{i}"
        await get(http, url)
        _, body, headers = await get(http, url)
        assert body == b"body#2", expires  # fetched again: it was expired from the start
        assert headers["X-Cache"] == "Miss from cdnsim"


async def test_several_expires_lines_are_invalid_but_one_in_wrong_case_is_fine(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    future = format_http_date(clock.now() + 3600)
    origin.reply("/upper", headers={"Expires": future.upper()})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"]
    await get(http, url + "/upper")
    assert (await get(http, url + "/upper"))[2]["X-Cache"] == "Hit from cdnsim"


async def test_an_invalid_age_makes_the_response_stale(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/old", headers={"Cache-Control": "max-age=3600", "Age": "7200, 0"}, etag='"a"')
    origin.reply("/bad", headers={"Cache-Control": "max-age=3600", "Age": "abc"}, etag='"b"')
    origin.reply("/ok", headers={"Cache-Control": "max-age=3600", "Age": "0, 7200"})
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"]
    for path in ("/old", "/bad", "/ok"):
        await get(http, url + path)
        await get(http, url + path)
    assert origin.count("/old") == 2  # its first member, 7200, is beyond max-age
    assert origin.count("/bad") == 2  # not a number: stale, revalidated
    assert origin.count("/ok") == 1  # the first member counts (§5.1)


CDN_CASES = [
    # (response headers, served from the cache the second time?)
    ({"CDN-Cache-Control": "max-age=0", "Expires": "+10000"}, False),
    ({"Cache-Control": "max-age=3600", "CDN-Cache-Control": "max-age=1"}, False),
    ({"Cache-Control": "max-age=1", "CDN-Cache-Control": "max-age=3600"}, True),
    ({"CDN-Cache-Control": "private", "Cache-Control": "max-age=10000"}, False),
    ({"CDN-Cache-Control": "no-cache", "Cache-Control": "max-age=10000"}, False),
    ({"CDN-Cache-Control": "no-store", "Cache-Control": "max-age=10000"}, False),
    ({"Cache-Control": "no-store", "CDN-Cache-Control": "max-age=10000"}, True),
    ({"Cache-Control": "no-store", "CDN-Cache-Control": "max-age=10000, &&&"}, False),
]


@pytest.mark.parametrize(("fields", "cached"), CDN_CASES)
async def test_cdn_cache_control_governs_in_the_rfc9111_profile(
    origin: OriginDouble,
    make_edge: MakeEdge,
    http: aiohttp.ClientSession,
    clock: Clock,
    fields: dict[str, str],
    cached: bool,
) -> None:
    headers = dict(fields)
    if headers.get("Expires") == "+10000":
        headers["Expires"] = format_http_date(clock.now() + 10000)
    origin.reply("/t", headers=headers)
    edge = await make_edge(edge_settings(origin.url, profile="rfc9111"))
    url = edge.pop_urls["pop-1"] + "/t"
    await get(http, url)
    await clock.advance(2)
    _, body, response = await get(http, url)
    assert (body == b"body#1") is cached
    assert response["CDN-Cache-Control"] == fields["CDN-Cache-Control"]  # passed on as sent


async def test_cloudfront_does_not_read_cdn_cache_control(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession
) -> None:
    origin.reply("/t", headers={"Cache-Control": "no-store", "CDN-Cache-Control": "max-age=600"})
    policy = CachePolicy("Origin", 0.0, 0.0, 10**9)
    edge = await make_edge(edge_settings(origin.url, profile="cloudfront", policy=policy))
    url = edge.pop_urls["pop-1"] + "/t"
    await get(http, url)
    assert (await get(http, url))[1] == b"body#2"


async def test_a_policy_names_a_vendor_field_first(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    # What a vendor plug-in sets on its behaviours: Akamai-Cache-Control, then CDN-Cache-Control.
    policy = CachePolicy(
        "Vendor",
        0.0,
        0.0,
        10**9,
        targeted_cache_control=("Akamai-Cache-Control", "CDN-Cache-Control"),
    )
    origin.reply(
        "/v", headers={"Akamai-Cache-Control": "max-age=5", "CDN-Cache-Control": "max-age=600"}
    )
    edge = await make_edge(edge_settings(origin.url, profile="cloudfront", policy=policy))
    url = edge.pop_urls["pop-1"] + "/v"
    await get(http, url)
    assert (await get(http, url))[2]["Cache-Status"] == "pop-1; hit; ttl=5"
    await clock.advance(10)
    assert (await get(http, url))[1] == b"body#2"
