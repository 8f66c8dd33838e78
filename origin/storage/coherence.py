"""Whether a memoized storage entry is still current: a table of write counters that every
writer bumps after each write and before it answers.

Keys hash to one of ``SLOTS`` counters; counter 0 is an epoch that a storage reset bumps
for every key at once. A reader notes the key's *tag* (epoch, counter) before it reads
storage and files what it read under that tag; the entry is current while the tag is
unchanged. A write that a client was told about has bumped the counter before the client
heard of it, so a request that follows it never sees an older entry (a key sharing the
slot only costs a re-read).

A writer may file the value it wrote itself (write-through) only when its bump moved the
counter from the tag it noted before writing: then no other write landed in between, and
any write after it bumps the counter again.

The table lives in this process (:meth:`Coherence.private`), or in shared memory for
several origin worker processes that write the same storage (:meth:`Coherence.shared`,
passed to the workers when they are started): one writer's bump reaches every reader.
"""

from __future__ import annotations

import ctypes
import threading
import zlib
from multiprocessing.context import BaseContext
from typing import Any

SLOTS = 1 << 16
_EPOCH = 0

Tag = tuple[int, int]


class Coherence:
    def __init__(self, counters: Any, lock: Any) -> None:
        self._counters = counters  # SLOTS + 1 unsigned 64-bit counters
        self._lock = lock

    @classmethod
    def private(cls) -> Coherence:
        """For writers that all live in this process."""
        return cls((ctypes.c_uint64 * (SLOTS + 1))(), threading.Lock())

    @classmethod
    def shared(cls, context: BaseContext) -> Coherence:
        """For writers in several processes started from ``context`` (pass it to them at start)."""
        return cls(context.RawArray(ctypes.c_uint64, SLOTS + 1), context.Lock())

    def __getstate__(self) -> dict[str, Any]:
        return {"counters": self._counters, "lock": self._lock}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._counters, self._lock = state["counters"], state["lock"]

    @staticmethod
    def slot(key: str) -> int:
        # A stable hash: every process must map a key to the same counter.
        return 1 + zlib.crc32(key.encode()) % SLOTS

    def tag(self, slot: int) -> Tag:
        """The tag to note before reading (or writing) a key of ``slot``."""
        return self._counters[_EPOCH], self._counters[slot]

    def bump(self, slot: int) -> Tag:
        """Record a write to a key of ``slot``; returns the tag it had just before."""
        with self._lock:
            before = self._counters[slot]
            self._counters[slot] = before + 1
            return self._counters[_EPOCH], before

    def bump_all(self) -> None:
        """Record that every key may have changed (storage was reset or restored)."""
        with self._lock:
            self._counters[_EPOCH] += 1
