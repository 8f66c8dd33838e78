"""Coalescing's bounded wait, and what a POP forwards upstream (RFC 9111 §4.3)."""

from __future__ import annotations

import asyncio

import pytest

from edge.coalesce import Coalescer
from edge.config import CachePolicy
from edge.forwarding import cached_request_headers, merge_fields, upstream_url, validators_of


async def test_waiters_share_the_first_result() -> None:
    coalescer: Coalescer[int] = Coalescer()
    gate = asyncio.Event()
    calls = 0

    async def work() -> int:
        nonlocal calls
        calls += 1
        await gate.wait()
        return 42

    first = asyncio.create_task(coalescer.run("k", work, wait=5))
    await asyncio.sleep(0)  # let the first request start the work
    second = asyncio.create_task(coalescer.run("k", work, wait=5))
    await asyncio.sleep(0)
    gate.set()
    assert await first == (42, False)
    assert await second == (42, True)
    assert calls == 1 and not coalescer.inflight("k")


async def test_a_waiter_gives_up_after_the_bounded_wait_and_goes_itself() -> None:
    coalescer: Coalescer[str] = Coalescer()
    never = asyncio.Event()

    async def stuck() -> str:
        await never.wait()
        return "stuck"

    async def quick() -> str:
        return "own"

    leader = asyncio.create_task(coalescer.run("k", stuck, wait=5))
    await asyncio.sleep(0)
    assert await coalescer.run("k", quick, wait=0.01) == ("own", False)
    leader.cancel()


async def test_errors_reach_every_waiter() -> None:
    coalescer: Coalescer[int] = Coalescer()
    gate = asyncio.Event()

    async def failing() -> int:
        await gate.wait()
        raise RuntimeError("upstream down")

    first = asyncio.create_task(coalescer.run("k", failing, wait=5))
    await asyncio.sleep(0)
    second = asyncio.create_task(coalescer.run("k", failing, wait=5))
    await asyncio.sleep(0)
    gate.set()
    for task in (first, second):
        with pytest.raises(RuntimeError, match="upstream down"):
            await task


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
