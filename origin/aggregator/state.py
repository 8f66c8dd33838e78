"""The aggregator's durable state: stream checkpoints, the queue and an unfinished flush,
written as one item after every step so that a restart neither loses nor repeats work."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from origin.aggregator.stream import Checkpoint
from origin.storage import Storage

STATE_TABLE = "aggregator_state"
STATE_KEY = ("_aggregator", "state")


@dataclass
class QueueEntry:
    tenant: str
    pack: str
    reasons: list[str]
    writes: int
    first_seen: float

    def to_json(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "pack": self.pack,
            "reasons": self.reasons,
            "writes": self.writes,
            "firstSeen": self.first_seen,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> QueueEntry:
        return cls(
            doc["tenant"],
            doc["pack"],
            list(doc["reasons"]),
            int(doc["writes"]),
            float(doc["firstSeen"]),
        )


@dataclass
class Flush:
    seq: int
    entries: list[QueueEntry]
    deleted: list[str] = field(default_factory=list)  # "tenant/pack" whose variants are gone
    batches_done: list[int] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "entries": [e.to_json() for e in self.entries],
            "deleted": self.deleted,
            "batchesDone": self.batches_done,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> Flush:
        entries = [QueueEntry.from_json(e) for e in doc["entries"]]
        return cls(int(doc["seq"]), entries, list(doc["deleted"]), list(doc["batchesDone"]))


@dataclass
class AggregatorState:
    packs: Checkpoint = field(default_factory=Checkpoint)
    configs: Checkpoint = field(default_factory=Checkpoint)
    queue: dict[str, QueueEntry] = field(default_factory=dict)  # "tenant/pack" → entry
    flush: Flush | None = None
    flush_seq: int = 0
    version: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "packs": self.packs.to_json(),
            "configs": self.configs.to_json(),
            "queue": [e.to_json() for e in self.queue.values()],
            "flush": self.flush.to_json() if self.flush else None,
            "flushSeq": self.flush_seq,
        }

    @classmethod
    def from_json(cls, doc: dict[str, Any], version: int) -> AggregatorState:
        queue = {
            f"{e['tenant']}/{e['pack']}": QueueEntry.from_json(e) for e in doc.get("queue", [])
        }
        flush = Flush.from_json(doc["flush"]) if doc.get("flush") else None
        return cls(
            Checkpoint.from_json(doc.get("packs")),
            Checkpoint.from_json(doc.get("configs")),
            queue,
            flush,
            int(doc.get("flushSeq", 0)),
            version,
        )


async def load_state(storage: Storage) -> AggregatorState:
    item = await storage.get_item(STATE_TABLE, *STATE_KEY)
    if item is None:
        return AggregatorState()
    return AggregatorState.from_json(json.loads(item["doc"]), int(item["version"]))


async def save_state(storage: Storage, state: AggregatorState) -> None:
    """Conditional on the version loaded: two aggregators on one store never interleave."""
    expected = state.version if state.version else None
    item = {
        "tenant": STATE_KEY[0],
        "id": STATE_KEY[1],
        "version": state.version + 1,
        "doc": json.dumps(state.to_json()),
    }
    await storage.put_item(STATE_TABLE, item, expect_version=expected)
    state.version += 1
