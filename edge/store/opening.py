"""The store a POP's settings ask for, in whichever process runs the POP."""

from __future__ import annotations

from common.clock import Clock
from edge.config import PopSettings
from edge.store.base import Store
from edge.store.disk import DiskStore
from edge.store.front import FrontedStore
from edge.store.memory import MemoryStore


def open_store(pop: PopSettings, clock: Clock) -> Store:
    """diskcache in ``cache_dir`` (with a memory layer for the hit path unless
    ``memory_limit`` is 0), else memory only."""
    if pop.cache_dir is None:
        return MemoryStore(pop.size_limit)
    disk = DiskStore(pop.cache_dir, size_limit=pop.size_limit, eviction_policy=pop.eviction_policy)
    return FrontedStore(disk, clock, pop.memory_limit) if pop.memory_limit > 0 else disk
