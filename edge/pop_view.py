"""A POP as the control API sees it: its counters and cached keys."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Protocol


class PopView(Protocol):
    pop_id: str

    async def stats(self) -> dict[str, Any]: ...

    async def listing(self, limit: int = 1000) -> list[dict[str, Any]]: ...


@dataclass(frozen=True)
class PopEntry:
    view: PopView
    role: str  # "pop" or "shield"
    url: str
    connections: Callable[[], dict[str, int]] | None = None  # its server's connection counters
