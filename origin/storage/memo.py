"""An exact in-process memo of the storage reads that every cold render repeats.

What it keeps: DynamoDB items of the tables the serving path reads (packs, location
configs, regions), absent ones included, and objects of the originals bucket (an
original's key names one upload: a re-upload is a new image id, and a write under an
existing key bumps its counter like any other). Entries are current while their
:class:`~origin.storage.coherence.Coherence` tag is unchanged, so a request never sees
an entry older than a write that was acknowledged before it arrived.

Exact only when every writer of the storage bumps the same coherence table: the writes
of this process's :class:`~origin.storage.store.Storage` (the origin, the aggregator,
the stack), or of origin worker processes sharing it. Another program writing the same
endpoint would not be seen, which is why a storage endpoint other than the embedded one
has the memo off unless configured (``StorageSettings.memo``).
"""

from __future__ import annotations

import contextlib
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from origin.storage.coherence import Coherence, Tag

V = TypeVar("V")
Item = dict[str, Any]

MAX_ITEMS = 100_000


@dataclass
class MemoStats:
    hits: int = 0
    misses: int = 0
    filled_by_writes: int = 0

    def as_json(self) -> dict[str, int]:
        return {"hits": self.hits, "misses": self.misses, "filledByWrites": self.filled_by_writes}


@dataclass
class _Write:
    """What a write stored, set by the writer once storage acknowledged it."""

    value: Any = None
    done: bool = False

    def stored(self, value: Any) -> None:
        self.value, self.done = value, True


@dataclass
class _Lru(Generic[V]):
    """Entries by key with their tag, least recently used first, bounded in count and weight."""

    max_entries: int
    max_weight: int
    weigh: Callable[[V | None], int]
    entries: OrderedDict[str, tuple[Tag, V | None]] = field(default_factory=OrderedDict)
    weight: int = 0

    def get(self, key: str, tag: Tag) -> tuple[bool, V | None]:
        entry = self.entries.get(key)
        if entry is None or entry[0] != tag:
            return False, None
        self.entries.move_to_end(key)
        return True, entry[1]

    def put(self, key: str, tag: Tag, value: V | None) -> None:
        weight = self.weigh(value)
        self.drop(key)
        if weight > self.max_weight:
            return
        self.entries[key] = (tag, value)
        self.weight += weight
        while len(self.entries) > self.max_entries or self.weight > self.max_weight:
            _, (_, evicted) = self.entries.popitem(last=False)
            self.weight -= self.weigh(evicted)

    def drop(self, key: str) -> None:
        old = self.entries.pop(key, None)
        if old is not None:
            self.weight -= self.weigh(old[1])


class StorageMemo:
    """Memoized items of ``tables`` and objects of ``bucket`` (at most ``object_bytes``)."""

    def __init__(
        self,
        coherence: Coherence,
        *,
        tables: frozenset[str],
        bucket: str,
        object_bytes: int,
        max_items: int = MAX_ITEMS,
    ) -> None:
        self.coherence = coherence
        self.tables = tables
        self.bucket = bucket
        self.stats = MemoStats()
        self._lock = threading.Lock()  # storage calls run on a thread pool
        self._items: _Lru[Item] = _Lru(max_items, 1 << 62, lambda _: 0)
        self._objects: _Lru[Any] = _Lru(
            max_items, object_bytes, lambda blob: len(blob.body) if blob is not None else 0
        )

    # -- reads ----------------------------------------------------------------------
    def item(
        self, table: str, tenant: str, item_id: str, read: Callable[[], Item | None]
    ) -> Item | None:
        """The item, from the memo when current, else from ``read`` (then memoized)."""
        found = self._read(self._items, _item_key(table, tenant, item_id), read)
        return dict(found) if found is not None else None  # callers may not change ours

    def object(self, key: str, read: Callable[[], Any]) -> Any:
        """An object of the memoized bucket, from the memo when current, else from ``read``."""
        return self._read(self._objects, key, read)

    def cached_item(self, table: str, tenant: str, item_id: str) -> tuple[bool, Item | None]:
        """``(True, item)`` when the memo holds a current entry, without reading storage
        (cheap enough for the event loop: no thread hop for a hit)."""
        hit, found = self._cached(self._items, _item_key(table, tenant, item_id))
        if found is None:
            return hit, None
        return hit, dict(found)  # callers may not change ours

    def cached_object(self, key: str) -> tuple[bool, Any]:
        """``(True, object)`` when the memo holds a current entry, without reading storage."""
        return self._cached(self._objects, key)

    def _cached(self, lru: _Lru[Any], key: str) -> tuple[bool, Any]:
        tag = self.coherence.tag(self.coherence.slot(key))
        with self._lock:
            hit, value = lru.get(key, tag)
            if hit:
                self.stats.hits += 1
            return hit, value

    def _read(self, lru: _Lru[V], key: str, read: Callable[[], V | None]) -> V | None:
        tag = self.coherence.tag(self.coherence.slot(key))
        with self._lock:
            hit, value = lru.get(key, tag)
            if hit:
                self.stats.hits += 1
                return value
            self.stats.misses += 1
        value = read()
        with self._lock:
            # Filed under the tag noted before the read: a write meanwhile makes it stale.
            lru.put(key, tag, value)
        return value

    # -- writes ---------------------------------------------------------------------
    @contextlib.contextmanager
    def writing_item(self, table: str, tenant: str, item_id: str) -> Iterator[_Write]:
        """Around one write of an item: the writer calls ``stored(item or None)`` once
        storage has acknowledged it; the entry is then current, unless another write
        came in between. Whatever happens, the key's counter is bumped."""
        with self._writing(self._items, _item_key(table, tenant, item_id)) as write:
            yield write

    @contextlib.contextmanager
    def writing_object(self, key: str) -> Iterator[_Write]:
        """Around one write (or deletion) of an object of the memoized bucket. Written
        bytes are not filed: an original is memoized when it is first read."""
        with self._writing(self._objects, key) as write:
            yield write

    @contextlib.contextmanager
    def _writing(self, lru: _Lru[Any], key: str) -> Iterator[_Write]:
        slot = self.coherence.slot(key)
        before = self.coherence.tag(slot)
        write = _Write()
        try:
            yield write
        finally:
            # Bumped even when the write failed: a timed-out write may still have landed.
            moved_from = self.coherence.bump(slot)
            with self._lock:
                lru.drop(key)
                if write.done and moved_from == before and lru is self._items:
                    lru.put(key, (before[0], before[1] + 1), write.value)
                    self.stats.filled_by_writes += 1

    def forget_all(self) -> None:
        """Storage was wiped or restored: nothing memoized anywhere is current."""
        self.coherence.bump_all()
        with self._lock:
            self._items.entries.clear()
            self._objects.entries.clear()
            self._items.weight = self._objects.weight = 0


def _item_key(table: str, tenant: str, item_id: str) -> str:
    return f"{table}\0{tenant}\0{item_id}"
