"""What a location config write does to storage: all-or-nothing DynamoDB writes, each
conditional on the version read, and the deletion of the S3 variants it makes stale.

DynamoDB has transactions, but a cancelled one leaves moto's stream iterators stale
(see PITFALLS), and the table's stream feeds the invalidation aggregator. So the items
are written one by one, each conditional on the version the plan was made from; when
a concurrent write wins part-way, what was already written is put back and the request
answers 409. The client never sees a half-applied request.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Sequence
from dataclasses import dataclass, replace

from botocore.exceptions import BotoCoreError, ClientError

from common.errors import Conflict
from origin.models.documents import LocationConfig
from origin.serving.variant_key import variant_prefix
from origin.storage import Storage
from origin.storage.store import ConditionFailed

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Put:
    config: LocationConfig  # as stored, with its new version
    old: LocationConfig | None  # what it replaces (its version is the condition)
    forced: bool  # a forced heavy change: tells the stream reader to invalidate


@dataclass(frozen=True)
class _Done:
    written: LocationConfig | None  # None: the item was deleted
    previous: LocationConfig | None  # None: the item did not exist


def stored_item(tenant: str, config: LocationConfig, forced: bool) -> dict[str, object]:
    """The DynamoDB item: the document plus ``forced`` for the invalidation aggregator."""
    return {**config.to_item(tenant), "forced": forced}


class ConfigWriter:
    def __init__(self, storage: Storage, table: str) -> None:
        self._storage = storage
        self._table = table

    async def apply(
        self, tenant: str, puts: Sequence[Put], removals: Sequence[LocationConfig]
    ) -> None:
        """Write ``puts`` in order, then delete ``removals``; 409 (and nothing kept) on a lost race."""
        done: list[_Done] = []
        try:
            for put in puts:
                expected = put.old.version if put.old else None
                await self._storage.put_item(
                    self._table,
                    stored_item(tenant, put.config, put.forced),
                    expect_version=expected,
                )
                done.append(_Done(put.config, put.old))
            for old in removals:
                await self._storage.delete_item(
                    self._table, tenant, old.name, expect_version=old.version
                )
                done.append(_Done(None, old))
        except ConditionFailed as exc:
            await self._undo(tenant, done)
            raise Conflict(
                f"a location config was changed by another request meanwhile ({exc}); "
                "nothing was written: read the configs again and retry",
                code="concurrent_write",
            ) from None
        except (BotoCoreError, ClientError):
            await self._undo(tenant, done)
            raise

    async def _undo(self, tenant: str, done: list[_Done]) -> None:
        # Newest first. Each step is itself conditional on what we wrote, so an undo never
        # overwrites a write that came after ours; versions keep growing (no ABA).
        for step in reversed(done):
            try:
                if step.written is None and step.previous is not None:
                    restored = replace(step.previous, version=step.previous.version + 1)
                    await self._storage.put_item(
                        self._table, stored_item(tenant, restored, False), expect_version=None
                    )
                elif step.written is not None and step.previous is None:
                    await self._storage.delete_item(
                        self._table, tenant, step.written.name, expect_version=step.written.version
                    )
                elif step.written is not None and step.previous is not None:
                    restored = replace(step.previous, version=step.written.version + 1)
                    await self._storage.put_item(
                        self._table,
                        stored_item(tenant, restored, False),
                        expect_version=step.written.version,
                    )
            except (ConditionFailed, BotoCoreError, ClientError) as exc:
                log.warning("tenant %s: could not undo a location config write: %s", tenant, exc)


async def invalidate_variants(
    storage: Storage, tenant: str, locations: list[str]
) -> dict[str, int]:
    """Delete ``{tenant}/{packId}/{location}/`` in the variants bucket for every pack of
    the tenant (variants are stored under the *requested* location); counts per location."""
    if not locations:
        return {}
    packs = [item["id"] for item in await storage.query("packs", tenant)]
    bucket = storage.settings.variants_bucket
    # Bounded so that a tenant with many packs does not take every storage thread.
    gate = asyncio.Semaphore(16)

    async def drop(prefix: str) -> int:
        async with gate:
            return await storage.delete_prefix(bucket, prefix)

    counts: dict[str, int] = {}
    for location in locations:
        prefixes = [variant_prefix(tenant, pack, location) for pack in packs]
        deleted = await asyncio.gather(*(drop(prefix) for prefix in prefixes))
        counts[location] = sum(deleted)
    log.info("tenant %s: invalidated variants %s", tenant, counts)
    return counts
