"""An in-memory store for tests and single-process runs, evicting least-recently-stored."""

from __future__ import annotations

from collections import OrderedDict
from collections.abc import AsyncIterator

from edge.store.base import Entry, StoredValue


class MemoryStore:
    def __init__(self, size_limit: int = 256 * 1024 * 1024) -> None:
        self._items: OrderedDict[str, StoredValue] = OrderedDict()
        self._by_uri: dict[str, set[str]] = {}  # for delete_uri without a scan
        self._size_limit = size_limit
        self._volume = 0

    def __len__(self) -> int:
        return len(self._items)

    async def get(self, key: str) -> StoredValue | None:
        return self._items.get(key)

    def held(self, key: str) -> StoredValue | None:
        return self._items.get(key)

    async def put(self, key: str, value: StoredValue) -> None:
        await self.delete(key)
        self._items[key] = value
        self._by_uri.setdefault(value.uri, set()).add(key)
        self._volume += _size(key, value)
        # Evict oldest stores first, like diskcache's least-recently-stored policy.
        while self._volume > self._size_limit and len(self._items) > 1:
            await self.delete(next(iter(self._items)))

    async def delete(self, key: str) -> bool:
        old = self._items.pop(key, None)
        if old is None:
            return False
        self._volume -= _size(key, old)
        keys = self._by_uri.get(old.uri)
        if keys is not None:
            keys.discard(key)
            if not keys:
                del self._by_uri[old.uri]
        return True

    async def delete_uri(self, uri: str) -> int:
        removed = 0
        for key in list(self._by_uri.get(uri, ())):
            removed += await self.delete(key)
        return removed

    async def stored_keys(self) -> AsyncIterator[str]:
        for key in list(self._items):
            yield key

    async def volume(self) -> int:
        return self._volume

    async def close(self) -> None:
        self._items.clear()
        self._by_uri.clear()
        self._volume = 0


def _size(key: str, value: StoredValue) -> int:
    return value.size if isinstance(value, Entry) else len(key) + 64
