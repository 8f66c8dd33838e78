"""What an invalidation is, and what a POP must offer to apply one; no behaviour beyond
reporting its own state (the rules live in ``service``)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

# The exact strings CloudFront returns; boto3's invalidation_completed waiter matches "Completed".
IN_PROGRESS, COMPLETED = "InProgress", "Completed"


class PurgeTarget(Protocol):
    """A POP (or shield) that can drop every cached entry matching invalidation paths."""

    # Read-only in the protocol, so a plain attribute and a property both satisfy it.
    @property
    def pop_id(self) -> str: ...

    async def purge(self, patterns: Sequence[str]) -> int:
        """Drop entries whose URI matches any pattern; return how many were dropped."""
        ...


@dataclass(frozen=True)
class InvalidationLimits:
    max_paths_per_batch: int = 3000
    max_files_in_progress: int = 3000
    max_wildcards_in_progress: int = 15

    def __post_init__(self) -> None:
        if (
            min(
                self.max_paths_per_batch, self.max_files_in_progress, self.max_wildcards_in_progress
            )
            < 1
        ):
            raise ValueError("invalidation limits must be at least 1")


@dataclass
class PopProgress:
    pop: str
    delay: float
    due_at: float
    applied_at: float | None = None
    purged: int | None = None
    attempts: int = 0
    last_error: str | None = None

    @property
    def status(self) -> str:
        if self.applied_at is not None:
            return "Applied"
        return "Retrying" if self.last_error else "Pending"

    def to_json(self) -> dict[str, object]:
        return {
            "pop": self.pop,
            "delay": self.delay,
            "dueAt": self.due_at,
            "appliedAt": self.applied_at,
            "purged": self.purged,
            "status": self.status,
            "attempts": self.attempts,
            "lastError": self.last_error,
        }


@dataclass
class Invalidation:
    id: str
    paths: tuple[str, ...]
    caller_reference: str
    create_time: float
    pops: list[PopProgress]
    completed_at: float | None = None
    limited: bool = True  # counted against the distribution's in-progress limits
    _done: asyncio.Event = field(default_factory=asyncio.Event, repr=False)

    @property
    def status(self) -> str:
        return COMPLETED if self.completed_at is not None else IN_PROGRESS

    def to_json(self) -> dict[str, object]:
        return {
            "id": self.id,
            "status": self.status,
            "paths": list(self.paths),
            "callerReference": self.caller_reference,
            "createTime": self.create_time,
            "completedAt": self.completed_at,
            "pops": [p.to_json() for p in self.pops],
        }


@dataclass(frozen=True)
class InvalidationPage:
    """One page of ListInvalidations, newest first."""

    items: list[Invalidation]
    marker: str
    max_items: int
    next_marker: str | None

    @property
    def is_truncated(self) -> bool:
        return self.next_marker is not None
