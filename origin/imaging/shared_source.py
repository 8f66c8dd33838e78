"""How an original reaches a render worker process: through shared memory, not a pipe.

Sent as an argument, a 440 KB original was pickled, pushed through the pool's pipe in
64 KB writes by a feeder thread and read back by the worker: about 1 ms of CPU per
render on the two sides. Here the origin copies it into a block of shared memory and
sends the block's name; the worker copies it out. Blocks are reused (a render holds one
from submission until its worker has returned), so a busy origin creates none.
"""

from __future__ import annotations

import threading
from multiprocessing import resource_tracker
from multiprocessing.shared_memory import SharedMemory
from pathlib import Path

MIN_BLOCK = 1 << 20
KEEP_BYTES = 64 << 20
SHM_DIR = Path("/dev/shm")


class SourceBlocks:
    """Shared-memory blocks for originals on their way to a worker; idle ones are kept up to
    ``keep_bytes`` in all (as many as renders in flight, for the usual originals)."""

    def __init__(self, keep_bytes: int = KEEP_BYTES) -> None:
        self._keep_bytes = keep_bytes
        self._idle: list[SharedMemory] = []
        self._lock = threading.Lock()
        self._closed = False

    def fill(self, data: bytes) -> SharedMemory:
        """A block holding ``data`` at its start; give it back with :meth:`release`."""
        with self._lock:
            fitting = [block for block in self._idle if block.size >= len(data)]
            block = min(fitting, key=lambda b: b.size) if fitting else None
            if block is not None:
                self._idle.remove(block)
        if block is None:
            block = SharedMemory(create=True, size=max(MIN_BLOCK, _power_of_two(len(data))))
        _view(block)[: len(data)] = data
        return block

    def release(self, block: SharedMemory) -> None:
        with self._lock:
            idle_bytes = sum(idle.size for idle in self._idle)
            if not self._closed and idle_bytes + block.size <= self._keep_bytes:
                self._idle.append(block)
                return
        _destroy(block)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for block in idle:
            _destroy(block)


def read_block(name: str, size: int) -> bytes:
    """In the worker: the first ``size`` bytes of the block ``name``.

    Read as the file it is on Linux: opening it as a ``SharedMemory`` would register it
    with the resource tracker that the workers share with the origin (Python < 3.13), and
    the worker's unregistering would then drop the origin's own registration."""
    path = SHM_DIR / name
    if path.parent.is_dir():
        with path.open("rb", buffering=0) as file:
            return file.read(size)
    block = SharedMemory(name=name)
    resource_tracker.unregister(block._name, "shared_memory")  # type: ignore[attr-defined]
    try:
        return bytes(_view(block)[:size])
    finally:
        block.close()


def _view(block: SharedMemory) -> memoryview:
    view = block.buf
    assert view is not None  # None only once closed
    return view


def _destroy(block: SharedMemory) -> None:
    block.close()
    block.unlink()


def _power_of_two(size: int) -> int:
    return 1 << max(0, size - 1).bit_length()
