"""An in-memory store for tests and single-process runs, evicting least-recently-stored."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator

from edge.store.base import Entry, StoredValue


class MemoryStore:
    def __init__(self, size_limit: int = 256 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, StoredValue] = OrderedDict()
        self._size_limit = size_limit
        self._volume = 0

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> StoredValue | None:
        return self._items.get(key)

    async def put(self, key: str, value: StoredValue) -> None:
        await self.delete(key)
        self._items[key] = value
        self._volume += _size(key, value)
        # Evict oldest stores first, like diskcache's least-recently-stored policy.
        while self._volume > self._size_limit and len(self._items) > 1:
            old_key, old = self._items.popitem(last=False)
            self._volume -= _size(old_key, old)

    async def delete(self, key: str) -> bool:
        old = self._items.pop(key, None)
        if old is None:
            return False
        self._volume -= _size(key, old)
        return True

    async def stored_keys(self) -> AsyncIterator[str]:
        for key in list(self._items):
            yield key

    async def volume(self) -> int:
        return self._volume

    async def close(self) -> None:
        self._items.clear()
        self._volume = 0


def _size(key: str, value: StoredValue) -> int:
    return value.size if isinstance(value, Entry) else len(key) + 64
