import asyncio

import pytest

from common.clock import MANUAL_EPOCH, Clock


def test_parse_specs():
    assert Clock.parse("real").mode == "real"
    scaled = Clock.parse("scaled:60@1000")
    assert (scaled.mode, scaled.factor, scaled.anchor) == ("scaled", 60, 1000)
    assert Clock.parse("manual").now() == MANUAL_EPOCH
    assert Clock.parse("manual@5").now() == 5
    with pytest.raises(ValueError):
        Clock.parse("fast")


def test_scaled_clock_runs_faster_than_wall_time():
    clock = Clock("scaled", factor=100, anchor=0)
    first = clock.now()
    assert first > 1_000_000_000 * 100  # anchored at the epoch: far ahead of wall time


async def test_manual_sleepers_wake_in_deadline_order_at_their_time():
    clock = Clock.manual()
    woke: list[tuple[str, float]] = []

    async def sleeper(name: str, seconds: float) -> None:
        await clock.sleep(seconds)
        woke.append((name, clock.now() - MANUAL_EPOCH))

    tasks = [asyncio.create_task(sleeper("b", 20)), asyncio.create_task(sleeper("a", 10))]
    await asyncio.sleep(0)
    await clock.advance(15)
    assert woke == [("a", 10)]
    await clock.advance(100)
    assert woke == [("a", 10), ("b", 20)]
    assert clock.now() - MANUAL_EPOCH == 115
    await asyncio.gather(*tasks)


async def test_periodic_timer_fires_every_interval_during_one_advance():
    clock = Clock.manual()
    ticks: list[float] = []

    async def every_300() -> None:
        while True:
            await clock.sleep(300)
            ticks.append(clock.now() - MANUAL_EPOCH)

    task = asyncio.create_task(every_300())
    await asyncio.sleep(0)
    await clock.advance(1000)
    assert ticks == [300, 600, 900]
    task.cancel()


async def test_advancing_a_real_clock_is_refused():
    with pytest.raises(RuntimeError):
        await Clock().advance(1)


async def test_advance_waits_for_a_woken_task_to_finish_its_threaded_work():
    clock = Clock.manual()
    done: list[float] = []

    async def tick_with_io() -> None:
        while True:
            await clock.sleep(300)
            # Work on another thread that takes real time, as boto3 calls do.
            await asyncio.to_thread(lambda: sum(range(200_000)))
            done.append(clock.now() - MANUAL_EPOCH)

    task = asyncio.create_task(tick_with_io())
    await asyncio.sleep(0)
    await clock.advance(650)
    assert done == [300, 600]
    task.cancel()


async def test_advance_is_not_held_by_a_task_that_ends():
    clock = Clock.manual()

    async def once() -> None:
        await clock.sleep(5)

    task = asyncio.create_task(once())
    await asyncio.sleep(0)
    await clock.advance(10)
    assert task.done()
