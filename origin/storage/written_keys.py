"""Which keys of a bucket may exist: every key written since the bucket was empty, as a
Bloom filter, so that a cold render skips the S3 read that would only say "no such key".

Sound only while every writer of the bucket adds its key here *before* writing it: then a
key the filter has never seen was never written, and a reader may answer "absent" without
asking S3. A key it has seen is read as before (it may since have been deleted, or be a
false positive). That holds for the variants bucket of the embedded store (variants are
not kept across restarts, so it starts empty, and only this origin's processes write it);
for any other store the filter is off.

One byte per position, set without a lock (a byte store is atomic), two positions per key:
with 4 Mi positions, 500,000 stored variants still skip 95% of the reads for new ones.
"""

from __future__ import annotations

import ctypes
import hashlib
from multiprocessing.context import BaseContext
from typing import Any

POSITIONS = 1 << 22


class WrittenKeys:
    def __init__(self, marks: Any) -> None:
        self._marks = marks  # POSITIONS bytes
        self.skipped = 0  # reads answered "absent" without asking storage (this process)

    @classmethod
    def private(cls) -> WrittenKeys:
        return cls((ctypes.c_uint8 * POSITIONS)())

    @classmethod
    def shared(cls, context: BaseContext) -> WrittenKeys:
        """For writers in several processes started from ``context`` (pass it at start)."""
        return cls(context.RawArray(ctypes.c_uint8, POSITIONS))

    def __getstate__(self) -> dict[str, Any]:
        return {"marks": self._marks}

    def __setstate__(self, state: dict[str, Any]) -> None:
        self._marks, self.skipped = state["marks"], 0

    def add(self, key: str) -> None:
        """Before ``key`` is written."""
        for position in _positions(key):
            self._marks[position] = 1

    def may_exist(self, key: str) -> bool:
        if all(self._marks[position] for position in _positions(key)):
            return True
        self.skipped += 1
        return False

    def clear(self) -> None:
        """The bucket was emptied (a reset of the embedded store)."""
        ctypes.memset(ctypes.addressof(self._marks), 0, POSITIONS)


def _positions(key: str) -> tuple[int, int]:
    # Stable across processes (unlike hash()), and two independent positions.
    digest = hashlib.blake2b(key.encode(), digest_size=8).digest()
    return (
        int.from_bytes(digest[:4], "little") % POSITIONS,
        int.from_bytes(digest[4:], "little") % POSITIONS,
    )
