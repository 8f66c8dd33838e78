"""fetchImage: download an original from a URL that configuration allows.

The service fetches on behalf of an admin, so the URL is untrusted: only http/https to
hosts on the allow-list, redirects followed by hand (each target checked against the
same list), a byte limit enforced while streaming and one deadline for the whole fetch.
Every failure is a 422 that says what went wrong.
"""

from __future__ import annotations

import asyncio

import aiohttp
from yarl import URL

from common.bodies import UpstreamBodyError, read_response
from common.errors import Unprocessable

MAX_REDIRECTS = 3
_REDIRECTS = (301, 302, 303, 307, 308)


def host_allowed(host: str, patterns: tuple[str, ...]) -> bool:
    """Whether ``host`` matches an allow-list entry: an exact host name, or ``*.suffix``
    for any host below ``suffix`` (not ``suffix`` itself). An empty list allows nothing."""
    host = host.lower().rstrip(".")
    for pattern in patterns:
        pattern = pattern.lower().rstrip(".")
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def checked_url(raw: str, allowed: tuple[str, ...]) -> URL:
    """``raw`` parsed, if it is an absolute http(s) URL to an allowed host; else 422."""
    try:
        url = URL(raw)
    except (ValueError, TypeError):
        raise Unprocessable(f"imageUrl is not a URL: {raw!r}", code="fetch_refused") from None
    if url.scheme not in ("http", "https") or not url.host:
        raise Unprocessable("imageUrl must be an absolute http or https URL", code="fetch_refused")
    if not host_allowed(url.host, allowed):
        raise Unprocessable(
            f"fetching from host {url.host!r} is not allowed by configuration", code="fetch_refused"
        )
    return url


async def fetch_bytes(
    http: aiohttp.ClientSession,
    raw_url: str,
    *,
    allowed: tuple[str, ...],
    limit: int,
    timeout: float,
) -> bytes:
    """The body at ``raw_url`` (at most ``limit`` bytes), following up to
    :data:`MAX_REDIRECTS` redirects to allowed hosts, within ``timeout`` seconds overall."""
    url = checked_url(raw_url, allowed)
    try:
        async with asyncio.timeout(timeout):
            for _ in range(MAX_REDIRECTS + 1):
                async with http.get(url, allow_redirects=False) as response:
                    if response.status in _REDIRECTS:
                        url = _redirect_target(url, response, allowed)
                        continue
                    if response.status != 200:
                        raise Unprocessable(
                            f"the image source answered {response.status}", code="fetch_failed"
                        )
                    return await _read_limited(response, limit)
    except TimeoutError:
        raise Unprocessable(
            f"fetching the image took longer than {timeout:g}s", code="fetch_failed"
        ) from None
    except aiohttp.ClientError as exc:
        raise Unprocessable(f"the image could not be fetched: {exc}", code="fetch_failed") from None
    raise Unprocessable(f"more than {MAX_REDIRECTS} redirects", code="fetch_failed")


def _redirect_target(
    current: URL, response: aiohttp.ClientResponse, allowed: tuple[str, ...]
) -> URL:
    location = response.headers.get("Location")
    if not location:
        raise Unprocessable("the image source redirected without a Location", code="fetch_failed")
    try:
        target = current.join(URL(location))
    except (ValueError, TypeError):
        raise Unprocessable(
            "the image source redirected to a malformed URL", code="fetch_failed"
        ) from None
    return checked_url(str(target), allowed)


async def _read_limited(response: aiohttp.ClientResponse, limit: int) -> bytes:
    try:
        return await read_response(response, limit)
    except UpstreamBodyError as exc:
        if exc.kind == "too-large":
            raise Unprocessable(
                f"the image is larger than {limit} bytes", code="fetch_too_large"
            ) from None
        raise Unprocessable(f"the image could not be fetched: {exc}", code="fetch_failed") from None
