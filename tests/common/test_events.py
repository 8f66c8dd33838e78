import asyncio
import threading

from common.clock import Clock
from common.events import EventLog


def test_read_back_from_a_position_and_filter():
    log = EventLog(Clock.manual())
    for i in range(5):
        log.append("origin", "render" if i % 2 else "hit", n=i)
    assert [e.seq for e in log.read(2)] == [3, 4, 5]
    assert [e.data["n"] for e in log.read(kinds=["render"])] == [1, 3]
    assert log.last_seq == 5


def test_old_events_drop_but_sequence_numbers_stay():
    log = EventLog(Clock.manual(), max_events=3)
    for i in range(5):
        log.append("edge", "hit", n=i)
    assert [e.seq for e in log.read(0)] == [3, 4, 5]


async def test_wait_for_wakes_on_an_append_from_another_thread():
    log = EventLog(Clock.manual())
    waiter = asyncio.create_task(log.wait_for(lambda e: e.kind == "render", timeout=5))
    await asyncio.sleep(0)
    threading.Thread(target=lambda: log.append("origin", "render", cpu=0.1)).start()
    event = await waiter
    assert event.data == {"cpu": 0.1}


def test_a_subscriber_sees_every_event_once_in_order_even_past_what_the_log_keeps():
    log = EventLog(Clock.manual(), max_events=3)
    log.append("x", "before")
    seen: list[int] = []
    log.subscribe(lambda event: seen.append(event.seq))
    threads = [
        threading.Thread(target=lambda: [log.append("x", "e") for _ in range(50)]) for _ in range(4)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert seen == list(range(2, 202))


def test_the_log_is_bounded_by_the_memory_its_events_hold_and_counts_what_it_drops():
    log = EventLog(Clock.manual(), max_bytes=20_000)
    for i in range(1000):
        log.append("edge", "hit", pop="pop-1", uri=f"/api/v2/img/{i:024x}", age=i)
    held = log.read(0)
    assert log.held_bytes <= 20_000
    assert 20 < len(held) < 1000
    assert log.dropped == 1000 - len(held)
    # The newest, in order, without a gap; what is gone is said, not silently skipped.
    assert [e.seq for e in held] == list(range(1001 - len(held), 1001))
    assert log.oldest_seq == held[0].seq
    assert log.missed(0) == log.dropped and log.missed(held[0].seq - 1) == 0
    assert log.missed(log.last_seq) == 0


def test_large_events_leave_sooner_than_small_ones():
    """The bound is on bytes: a viewer sending 1 KB User-Agent headers fills it faster."""
    small, large = (EventLog(Clock.manual(), max_bytes=100_000) for _ in range(2))
    for i in range(2000):
        small.append("edge", "hit", pop="pop-1", uri=f"/x/{i}", age=1)
        large.append("edge", "hit", pop="pop-1", uri=f"/x/{i}", age=1, user_agent="u" * 1024)
    assert len(large.read(0)) * 3 < len(small.read(0))
    assert max(small.held_bytes, large.held_bytes) <= 100_000


def test_an_event_read_back_is_a_copy_of_the_logged_one():
    log = EventLog(Clock.manual())
    log.append("origin", "render", params={"width": 10})
    out = log.read(0)[0].to_json()
    assert out == {"seq": 1, "time": out["time"], "component": "origin", "kind": "render",
                   "data": {"params": {"width": 10}}}  # fmt: skip
    out["data"]["params"]["width"] = 99
    assert log.read(0)[0].data["params"]["width"] == 10
