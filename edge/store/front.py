"""A per-process memory layer in front of the disk store, for the hit path.

A hit from memory skips SQLite and decoding. A remembered entry is only used while it
is fresh (by the injected clock); a stale or absent one is read from disk again, so a
response another worker refreshed on disk is seen as soon as ours expires. A stored part
(a 206) is always read from disk: another worker may have completed it there. What a
remembered entry cannot see by itself is a purge done by another process: purges
therefore go through every process (``drop_matching``), see ``edge.worker_pool``.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable

from common.clock import Clock
from edge.rules.cache_key import uri_of
from edge.store.base import Entry, Store, StoredValue
from edge.store.memory import MemoryStore


class FrontedStore:
    def __init__(self, inner: Store, clock: Clock, size_limit: int) -> None:
        self.inner = inner
        self._clock = clock
        self._front = MemoryStore(size_limit)
        self._fresh_until: dict[str, float] = {}

    def held(self, key: str) -> StoredValue | None:
        value = self._front.held(key)
        if value is not None and (
            not isinstance(value, Entry)
            or (value.partial is None and self._clock.now() < self._fresh_until[key])
        ):
            return value
        return None

    async def get(self, key: str) -> StoredValue | None:
        value = self.held(key)
        if value is not None:
            return value
        value = await self.inner.get(key)
        if value is None:
            await self._forget(key)
        else:
            await self._remember(key, value)
        return value

    async def put(self, key: str, value: StoredValue) -> None:
        await self.inner.put(key, value)
        await self._remember(key, value)

    async def delete(self, key: str) -> bool:
        in_front = await self._forget(key)
        return await self.inner.delete(key) or in_front

    async def delete_uri(self, uri: str) -> int:
        """Deleted from disk for every process, and from this one's memory; a worker process
        then has the edge process tell the other workers (see edge.worker_pool)."""
        await self.drop_matching(lambda stored: stored == uri)
        return await self.inner.delete_uri(uri)

    async def stored_keys(self) -> AsyncIterator[str]:
        async for key in self.inner.stored_keys():
            yield key

    async def volume(self) -> int:
        return await self.inner.volume()

    async def close(self) -> None:
        await self._front.close()
        await self.inner.close()

    async def drop_matching(self, covered: Callable[[str], bool]) -> int:
        """Forget remembered entries whose uri ``covered`` says; how many were forgotten."""
        keys = [key async for key in self._front.stored_keys() if covered(uri_of(key))]
        for key in keys:
            await self._forget(key)
        return len(keys)

    async def _remember(self, key: str, value: StoredValue) -> None:
        if isinstance(value, Entry):
            self._fresh_until[key] = self._clock.now() + value.freshness.remaining(
                self._clock.now()
            )
        await self._front.put(key, value)
        # The memory layer evicts on its own; keep the freshness map from outgrowing it.
        if len(self._fresh_until) > 2 * len(self._front) + 64:
            live = {k async for k in self._front.stored_keys()}
            self._fresh_until = {k: v for k, v in self._fresh_until.items() if k in live}

    async def _forget(self, key: str) -> bool:
        self._fresh_until.pop(key, None)
        return await self._front.delete(key)
