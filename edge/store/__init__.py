"""Where a POP keeps its responses: one small async interface, a memory and a disk store."""

from edge.store.base import Entry, Store, StoredValue, VaryMarker
from edge.store.disk import DiskStore
from edge.store.memory import MemoryStore

__all__ = ["DiskStore", "Entry", "MemoryStore", "Store", "StoredValue", "VaryMarker"]
