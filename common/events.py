"""An append-only structured event log that can be read back from any position.

Components append what they did (hit, miss, render with CPU time, invalidation
created/completed…); scenarios and reports read it back through a control API and
compute their figures from it. Appends are thread-safe (renders finish on worker
threads); waiters are woken on their own event loops.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import threading
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from common.clock import Clock


@dataclass(frozen=True)
class Event:
    seq: int
    time: float
    component: str
    kind: str
    data: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)


class EventLog:
    """Events numbered from 1; ``read(since=n)`` returns those with ``seq > n``."""

    def __init__(
        self, clock: Clock, *, path: Path | None = None, max_events: int = 1_000_000
    ) -> None:
        self._clock = clock
        # A bounded deque drops the oldest event in O(1) once full; seq numbers keep counting.
        self._events: deque[Event] = deque(maxlen=max_events)
        self._last_seq = 0
        self._lock = threading.Lock()
        self._waiters: list[tuple[asyncio.AbstractEventLoop, asyncio.Future[None]]] = []
        self._listeners: list[Callable[[Event], None]] = []
        self._file = path.open("a", encoding="utf-8") if path else None

    @property
    def last_seq(self) -> int:
        with self._lock:
            return self._last_seq

    def append(self, component: str, kind: str, **data: Any) -> Event:
        with self._lock:
            self._last_seq += 1
            event = Event(self._last_seq, self._clock.now(), component, kind, data)
            self._events.append(event)
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
            selected = list(itertools.islice(self._events, start, None))
        out = [
            e
            for e in selected
            if (wanted is None or e.kind in wanted)
            and (component is None or e.component == component)
        ]
        return out[:limit] if limit is not None else out

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
