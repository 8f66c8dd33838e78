"""The store interface and what it holds."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Protocol

from edge.rules.decision import Freshness
from edge.rules.partial import Partial


@dataclass(frozen=True)
class Entry:
    """One stored response. ``key`` is the primary key (plus the Vary selection, if any).

    A stored 206 has ``partial``: which bytes of the representation ``body`` holds
    (RFC 9111 §3.3); its headers have no Content-Range."""

    key: str
    uri: str
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes
    freshness: Freshness
    stored_at: float
    partial: Partial | None = None

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

    def held(self, key: str) -> StoredValue | None:
        """What ``get`` would answer, when this process holds it in memory and can answer
        without waiting; None otherwise (ask ``get``)."""
        ...

    async def put(self, key: str, value: StoredValue) -> None: ...

    async def delete(self, key: str) -> bool: ...

    async def delete_uri(self, uri: str) -> int:
        """Delete every value stored for ``uri`` (any key headers, any Vary selection);
        how many were deleted."""
        ...

    def stored_keys(self) -> AsyncIterator[str]: ...

    async def volume(self) -> int:
        """Bytes in use."""
        ...

    async def close(self) -> None: ...
