"""Single-flight (the origin's renders, the edge's coalesced misses): concurrent work for
one key runs once; waiters come and go independently, or give up after a bounded wait."""

from __future__ import annotations

import asyncio

import pytest

from common.single_flight import SingleFlight


async def test_concurrent_calls_for_one_key_share_one_run() -> None:
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()
    runs = 0

    async def work() -> int:
        nonlocal runs
        runs += 1
        await release.wait()
        return 42

    waiters = [asyncio.create_task(flights.run("k", work)) for _ in range(5)]
    await asyncio.sleep(0)
    assert len(flights) == 1
    release.set()
    results = await asyncio.gather(*waiters)
    assert runs == 1
    assert [value for value, _ in results] == [42] * 5
    assert sorted(joined for _, joined in results) == [False, True, True, True, True]
    assert len(flights) == 0


async def test_different_keys_and_later_calls_run_again() -> None:
    flights: SingleFlight[str] = SingleFlight()
    calls: list[str] = []

    async def work_for(name: str) -> str:
        calls.append(name)
        return name

    assert (await flights.run("a", lambda: work_for("a")))[0] == "a"
    assert (await flights.run("b", lambda: work_for("b")))[0] == "b"
    assert (await flights.run("a", lambda: work_for("a")))[0] == "a"
    assert calls == ["a", "b", "a"]


async def test_a_waiter_that_goes_away_does_not_cancel_the_work_of_the_others() -> None:
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()

    async def work() -> int:
        await release.wait()
        return 7

    first = asyncio.create_task(flights.run("k", work))
    second = asyncio.create_task(flights.run("k", work))
    await asyncio.sleep(0)
    first.cancel()
    release.set()
    assert (await second)[0] == 7
    with pytest.raises(asyncio.CancelledError):
        await first


async def test_a_failure_reaches_every_waiter_and_is_not_remembered() -> None:
    flights: SingleFlight[int] = SingleFlight()
    release = asyncio.Event()

    async def failing() -> int:
        await release.wait()
        raise ValueError("broken")

    waiters = [asyncio.create_task(flights.run("k", failing)) for _ in range(3)]
    await asyncio.sleep(0)
    release.set()
    results = await asyncio.gather(*waiters, return_exceptions=True)
    assert all(isinstance(r, ValueError) for r in results)

    async def fine() -> int:
        return 1

    assert (await flights.run("k", fine))[0] == 1


async def test_waiters_share_the_first_result() -> None:
    coalescer: SingleFlight[int] = SingleFlight()
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
    coalescer: SingleFlight[str] = SingleFlight()
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
    coalescer: SingleFlight[int] = SingleFlight()
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
