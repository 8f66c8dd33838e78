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
