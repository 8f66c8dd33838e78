"""The store interface and what it holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from edge.rules.decision import Freshness


@dataclass(frozen=True)
class Entry:
    """One stored response. ``key`` is the primary key (plus the Vary selection, if any)."""

    key: str
    uri: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    freshness: Freshness
    stored_at: float

    @property
    def size(self) -> int:
        return len(self.body) + sum(len(k) + len(v) for k, v in self.headers) + len(self.key)


@dataclass(frozen=True)
class VaryMarker:
    """Stored under the primary key when responses vary: which request fields select one."""

    fields: tuple[str, ...]
    uri: str


StoredValue = Entry | VaryMarker


class Store(Protocol):
    async def get(self, key: str) -> StoredValue | None: ...

    async def put(self, key: str, value: StoredValue) -> None: ...

    async def delete(self, key: str) -> bool: ...

    def stored_keys(self) -> AsyncIterator[str]: ...

    async def volume(self) -> int:
        """Bytes in use."""
        ...

    async def close(self) -> None: ...
