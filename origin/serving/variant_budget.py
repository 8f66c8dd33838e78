"""The byte budget of the S3 variant cache.

Anyone may ask for any size of any pack, and every distinct answer is a variant stored
in S3: without a bound, a loop of requests for 4096×4096 PNGs of a noisy original fills
the disk (40 requests stored 1.7 GB). So the variants bucket has a budget in bytes. When a
newly stored variant takes it over, the least recently stored variants are deleted until
it is back under 90% (so that evictions come in batches), never the one just stored; a
``variant_store_full`` event says what was evicted. Variants are a cache: an evicted one
is rendered again the next time it is asked for (an edge may still hold its own copy).

The budget counts what this process stored, starting from a listing of the bucket; before
each eviction it lists the bucket again, so that variants deleted by the aggregator or
stored by another origin process are counted as they are.
"""

from __future__ import annotations

import asyncio
import logging
from collections import OrderedDict

from common.events import EventLog
from origin.storage import Storage

log = logging.getLogger(__name__)

LOW_WATER = 0.9  # an eviction brings the bucket down to this fraction of the budget


class VariantBudget:
    def __init__(self, storage: Storage, bucket: str, limit: int, events: EventLog) -> None:
        self.storage = storage
        self.bucket = bucket
        self.limit = limit
        self.events = events
        self._sizes: OrderedDict[str, int] | None = None  # oldest first; None: not listed yet
        self._total = 0
        self._lock = asyncio.Lock()

    @property
    def stored_bytes(self) -> int:
        return self._total

    async def stored(self, key: str, size: int) -> None:
        """Count a variant just stored under ``key``; evict while over the budget."""
        async with self._lock:
            if self._sizes is None:
                await self._sync()  # the listing includes the new variant
            else:
                self._total += size - self._sizes.pop(key, 0)
                self._sizes[key] = size
            if self._total > self.limit:
                await self._evict(keep=key)

    async def _sync(self) -> None:
        objects = await self.storage.list_objects(self.bucket)
        objects.sort(key=lambda o: (o.last_modified, o.key))
        self._sizes = OrderedDict((o.key, o.size) for o in objects)
        self._total = sum(self._sizes.values())

    async def _evict(self, keep: str) -> None:
        await self._sync()
        assert self._sizes is not None
        if self._total <= self.limit:
            return  # others deleted variants since (a purge, a reset): nothing to evict
        before, target = self._total, int(self.limit * LOW_WATER)
        evicted: list[str] = []
        for key in list(self._sizes):
            if self._total <= target:
                break
            if key != keep:
                self._total -= self._sizes.pop(key)
                evicted.append(key)
        await self.storage.delete_keys(self.bucket, evicted)
        log.info("variant store over its budget: %d variants evicted", len(evicted))
        self.events.append(
            "origin", "variant_store_full", budgetBytes=self.limit, storedBytes=before,
            evicted=len(evicted), evictedBytes=before - self._total, remainingBytes=self._total,
        )  # fmt: skip
