"""An append-only structured event log that can be read back from any position.

Components append what they did (hit, miss, render with CPU time, invalidation
created/completed…); scenarios and reports read it back through a control API and
compute their figures from it. Appends are thread-safe (renders finish on worker
threads); waiters are woken on their own event loops.

The log is a window over the newest events, bounded by an estimate of the memory they
hold (``max_bytes``, 64 MiB by default: about 110,000 hit events) and optionally by
count: the oldest go first, ``dropped`` counts them, and sequence numbers keep counting,
so that a reader whose ``since`` fell out of the window learns how many it missed.
"""

from __future__ import annotations

import asyncio
import copy
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any, NamedTuple, Protocol

from common.clock import Clock

# What one event holds, measured with tracemalloc (`cdnsim bench events`): the Event,
# its data dict, the time float and sequence int (EVENT_BYTES); per data field its dict
# slot and a small value (FIELD_BYTES); a string adds its length, a nested dict or list
# (a render's parameters) FIELD_BYTES per item, without looking deeper.
EVENT_BYTES = 200
FIELD_BYTES = 64
UNIT = 16  # sizes are kept in units of this many bytes
DEFAULT_MAX_BYTES = 64 * 1024 * 1024


def estimated_size(data: dict[str, Any]) -> int:
    """Bytes an event with ``data`` holds (an estimate: cheap enough for every hit)."""
    size = EVENT_BYTES + FIELD_BYTES * len(data)
    for value in data.values():
        kind = type(value)
        if kind is str:
            size += len(value)
        elif kind is dict or kind is list:
            size += FIELD_BYTES * len(value)
    return size


class Event(NamedTuple):
    """One event. A named tuple: immutable, and built in a third of the time a frozen
    dataclass takes (it is built on every hit)."""

    seq: int
    time: float
    component: str
    kind: str
    data: dict[str, Any]

    def to_json(self) -> dict[str, Any]:
        # A deep copy of the data: a reader never shares (or changes) the log's.
        return {"seq": self.seq, "time": self.time, "component": self.component,
                "kind": self.kind, "data": copy.deepcopy(self.data)}  # fmt: skip


class EventSink(Protocol):
    """Where a component appends what it did (an :class:`EventLog`, or a worker
    process's buffer that sends its events to the edge process's log)."""

    def append(self, component: str, kind: str, **data: Any) -> object: ...


class EventLog:
    """Events numbered from 1; ``read(since=n)`` returns those with ``seq > n``."""

    def __init__(
        self,
        clock: Clock,
        *,
        path: Path | None = None,
        max_bytes: int = DEFAULT_MAX_BYTES,
        max_events: int | None = None,
    ) -> None:
        if max_bytes < 1 or (max_events is not None and max_events < 1):
            raise ValueError("an event log holds at least one event")
        self._clock = clock
        self.max_bytes = max_bytes
        self._max_events = max_events if max_events is not None else max_bytes
        self._max_units = max_bytes // UNIT
        self._events: deque[Event] = deque()
        # Each event's estimated size in UNIT bytes, beside it: a small int (below 257 for
        # events under 4 KiB), which Python never allocates.
        self._units: deque[int] = deque()
        self._held = 0  # in UNIT bytes
        self._last_seq = 0
        self._dropped = 0
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._listeners: list[Callable[[Event], None]] = []
        self._file = path.open("a", encoding="utf-8") if path else None

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._last_seq

    @property
    def dropped(self) -> int:
        """Events that left the window since the start."""
        return self._dropped

    @property
    def held_bytes(self) -> int:
        """The estimated memory of the events in the window."""
        return self._held * UNIT

    def append(self, component: str, kind: str, **data: Any) -> Event:
        return self.record(self._clock.now(), component, kind, data)

    def record(self, time: float, component: str, kind: str, data: dict[str, Any]) -> Event:
        """Append an event that happened at ``time`` (a worker process's, say)."""
        units = (estimated_size(data) + UNIT - 1) // UNIT
        with self._lock:
            self._last_seq += 1
            event = Event(self._last_seq, time, component, kind, data)
            events, sizes = self._events, self._units
            events.append(event)
            sizes.append(units)
            self._held += units
            while self._held > self._max_units or len(events) > self._max_events:
                events.popleft()
                self._held -= sizes.popleft()
                self._dropped += 1
            if self._file:
                self._file.write(json.dumps(event.to_json(), default=str) + "\n")
                self._file.flush()
            waiters, self._waiters = self._waiters, []
            # Under the lock: listeners see every event once, in order, whatever the thread.
            for listener in self._listeners:
                listener(event)
        for loop, future in waiters:
            loop.call_soon_threadsafe(_wake, future)
        return event

    def subscribe(self, listener: Callable[[Event], None]) -> None:
        """Call ``listener`` with every event appended from now on (it must be quick and
        must not append: it runs under the log's lock), e.g. to keep running totals that
        outlive the bounded log."""
        with self._lock:
            self._listeners.append(listener)

    def read(
        self,
        since: int = 0,
        *,
        kinds: Iterable[str] | None = None,
        component: str | None = None,
        limit: int | None = None,
    ) -> list[Event]:
        wanted = set(kinds) if kinds else None
        with self._lock:
            first_seq = self._last_seq - len(self._events) + 1
            start = max(0, since + 1 - first_seq)
            # islice walks the deque from its left end: fine for readers that follow the
            # log, linear in the window for one that asks for its newest events.
            selected = list(itertools.islice(self._events, start, None))
        out = [
            e
            for e in selected
            if (wanted is None or e.kind in wanted)
            and (component is None or e.component == component)
        ]
        return out[:limit] if limit is not None else out

    def missed(self, since: int) -> int:
        """How many events after ``since`` have left the window (0: none)."""
        with self._lock:
            oldest = self._last_seq - len(self._events) + 1
        return max(0, oldest - since - 1)

    @property
    def oldest_seq(self) -> int:
        """The sequence number of the oldest event held (``last_seq + 1`` when empty)."""
        with self._lock:
            return self._last_seq - len(self._events) + 1

    async def wait_for(
        self,
        predicate: Callable[[Event], bool],
        *,
        since: int = 0,
        timeout: float = 10.0,
    ) -> Event:
        """Wait (wall-time bounded) until an event after ``since`` satisfies ``predicate``."""

        async def _wait() -> Event:
            position = since
            while True:
                loop = asyncio.get_running_loop()
                future: asyncio.Future[None] = loop.create_future()
                with self._lock:
                    self._waiters.append((loop, future))
                for event in self.read(position):
                    position = event.seq
                    if predicate(event):
                        future.cancel()
                        return event
                await future

        return await asyncio.wait_for(_wait(), timeout)

    def close(self) -> None:
        if self._file:
            self._file.close()
            self._file = None


def _wake(future: asyncio.Future[None]) -> None:
    if not future.done():
        future.set_result(None)
