"""The aggregator: poll the streams into a deduplicated queue, and at every tick
(aligned to multiples of the interval on the clock) flush it."""

from __future__ import annotations

import asyncio
import logging
import math
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from common.clock import Clock
from common.events import EventLog
from origin.aggregator.invalidator import EdgeBusy, PackInvalidator
from origin.aggregator.settings import AggregatorSettings
from origin.aggregator.state import AggregatorState, Flush, QueueEntry, load_state, save_state
from origin.aggregator.stream import Checkpoint, StreamReader
from origin.aggregator.triggers import config_trigger, pack_trigger
from origin.storage import Storage

log = logging.getLogger(__name__)
COMPONENT = "aggregator"


class Aggregator:
    def __init__(
        self,
        storage: Storage,
        clock: Clock,
        events: EventLog,
        settings: AggregatorSettings,
        invalidator: PackInvalidator,
    ) -> None:
        self.storage, self.clock, self.events, self.settings = storage, clock, events, settings
        self.invalidator = invalidator
        self.state = AggregatorState()
        self._packs = StreamReader(storage.dynamodb, storage.streams, storage.table("packs"))
        self._configs = StreamReader(
            storage.dynamodb, storage.streams, storage.table("location_configs")
        )
        self._lock = asyncio.Lock()
        self._retry_at: float | None = None

    async def start(self) -> None:
        """Load the saved state and take the streams' positions now, so that writes made
        from here on are seen even before the first tick."""
        self.state = await load_state(self.storage)
        await self.poll()

    async def skip_unread(self, reason: str) -> int:
        """Move the streams' positions past every record not read yet, queueing nothing:
        writes a stack made itself (its demo seeding) are not changes to invalidate.
        How many records were skipped."""
        async with self._lock:
            skipped = len(await self.storage.run(self._packs.read, self.state.packs))
            skipped += len(await self.storage.run(self._configs.read, self.state.configs))
            await save_state(self.storage, self.state)
        self.events.append(COMPONENT, "stream_records_skipped", count=skipped, reason=reason)
        return skipped

    async def unread(self) -> int:
        """How many stream records were written since the last poll (what the next tick
        will read), counted without reading them for the aggregator: a reader of its own
        from copies of the checkpoints, so nothing is queued or moved."""
        count = 0
        for reader, checkpoint in (
            (self._packs, self.state.packs),
            (self._configs, self.state.configs),
        ):
            peek = StreamReader(self.storage.dynamodb, self.storage.streams, reader.table)
            copy = Checkpoint.from_json(checkpoint.to_json())
            count += len(await self.storage.run(peek.read, copy))
        return count

    def next_tick(self, now: float | None = None) -> float:
        now = self.clock.now() if now is None else now
        return (math.floor(now / self.settings.interval) + 1) * self.settings.interval

    async def run(self) -> None:
        while True:
            due = self.next_tick()
            if self._retry_at is not None and self._retry_at < due:
                await self.clock.sleep_until(self._retry_at)
                self._retry_at = None
                await self.flush()
                continue
            await self.clock.sleep_until(due)
            await self.tick()

    async def tick(self) -> None:
        self.events.append(COMPONENT, "aggregator_tick", queued=len(self.state.queue))
        await self.poll()
        await self.flush()

    # -- reading the streams ------------------------------------------------------
    async def poll(self) -> int:
        async with self._lock:
            pack_records = await self.storage.run(self._packs.read, self.state.packs)
            config_records = await self.storage.run(self._configs.read, self.state.configs)
            for record in pack_records:
                trigger = pack_trigger(record)
                if trigger:
                    self._enqueue(trigger.tenant, trigger.pack, trigger.reasons)
            for record in config_records:
                await self._config_record(record)
            await save_state(self.storage, self.state)
        return len(pack_records) + len(config_records)

    async def _config_record(self, record: dict[str, Any]) -> None:
        trigger = config_trigger(record)
        if trigger is None:
            return
        if trigger.cause == "fallback" and not self.settings.invalidate_on_fallback_change:
            before, after = trigger.fallback or (None, None)
            self.events.append(
                COMPONENT,
                "fallback_change_not_invalidated",
                tenant=trigger.tenant,
                location=trigger.location,
                old=before,
                new=after,
            )
            return
        if self.settings.ignore_location_config_changes:
            self.events.append(
                COMPONENT,
                "location_config_change_ignored",
                tenant=trigger.tenant,
                location=trigger.location,
            )
            return
        reason = (
            f"{'fallback' if trigger.cause == 'fallback' else 'locationConfig'}:{trigger.location}"
        )
        for item in await self.storage.query("packs", trigger.tenant):
            self._enqueue(trigger.tenant, item["id"], (reason,))

    def _enqueue(self, tenant: str, pack: str, reasons: tuple[str, ...]) -> None:
        key = f"{tenant}/{pack}"
        entry = self.state.queue.get(key)
        if entry is None:
            entry = self.state.queue[key] = QueueEntry(tenant, pack, [], 0, self.clock.now())
        entry.writes += 1
        entry.reasons.extend(r for r in reasons if r not in entry.reasons)
        self.events.append(
            COMPONENT,
            "aggregator_queued",
            tenant=tenant,
            pack=pack,
            reasons=list(reasons),
            writes=entry.writes,
        )

    # -- flushing -----------------------------------------------------------------
    async def flush(self) -> None:
        async with self._lock:
            if self.state.flush is None:
                if not self.state.queue:
                    return
                self.state.flush_seq += 1
                self.state.flush = Flush(self.state.flush_seq, list(self.state.queue.values()))
                self.state.queue = {}
                await save_state(self.storage, self.state)
                self.events.append(
                    COMPONENT,
                    "aggregator_flush_started",
                    flush=self.state.flush.seq,
                    packs=[f"{e.tenant}/{e.pack}" for e in self.state.flush.entries],
                )
            await self._continue_flush(self.state.flush)

    async def _continue_flush(self, flush: Flush) -> None:
        if not self.settings.delete_s3_after_edge:
            await self._delete_variants(flush)
        if self.settings.flush_duration:
            await self.clock.sleep(self.settings.flush_duration)
        try:
            await self._invalidate_edge(flush)
        except (EdgeBusy, BotoCoreError, ClientError):
            # The flush stays saved as unfinished; batches already accepted are not sent again.
            self._retry_at = self.clock.now() + self.settings.retry_interval
            return
        if self.settings.delete_s3_after_edge:
            await self.clock.sleep(self.settings.s3_delete_gap)
            await self._delete_variants(flush)
        if self.settings.drop_writes_during_flush:
            await self._drop_unread_records()
        self.state.flush = None
        await save_state(self.storage, self.state)
        self.events.append(
            COMPONENT, "aggregator_flush_completed", flush=flush.seq, packs=len(flush.entries)
        )

    async def _delete_variants(self, flush: Flush) -> None:
        for entry in flush.entries:
            key = f"{entry.tenant}/{entry.pack}"
            if key in flush.deleted:
                continue
            if self.settings.keep_s3_variants:
                self.events.append(
                    COMPONENT,
                    "variants_kept",
                    tenant=entry.tenant,
                    pack=entry.pack,
                    by=f"flush-{flush.seq}",
                )
            else:
                await self.invalidator.delete_variants(
                    entry.tenant, entry.pack, by=f"flush-{flush.seq}"
                )
            flush.deleted.append(key)
        await save_state(self.storage, self.state)

    async def _invalidate_edge(self, flush: Flush) -> None:
        paths = self.invalidator.paths([e.pack for e in flush.entries])
        size = self.settings.paths_per_request
        for index in range(math.ceil(len(paths) / size)):
            if index in flush.batches_done:
                continue
            batch = paths[index * size : (index + 1) * size]
            # The same reference for the same batch: a repeat after a restart is deduplicated by the edge.
            await self.invalidator.invalidate_edge(
                batch, f"cdnsim-aggregator-{flush.seq}-{index}", by=f"flush-{flush.seq}"
            )
            flush.batches_done.append(index)
            await save_state(self.storage, self.state)

    async def _drop_unread_records(self) -> None:
        # The bug: the checkpoint jumps to the newest record, so writes made during the flush are never read.
        dropped = await self.storage.run(self._packs.read, self.state.packs)
        if dropped:
            self.events.append(
                COMPONENT,
                "stream_records_dropped",
                count=len(dropped),
                packs=sorted({r["keys"].get("id", "") for r in dropped}),
            )

    def status(self) -> dict[str, Any]:
        return {
            "interval": self.settings.interval,
            "nextTick": self.next_tick(),
            "queue": [e.to_json() for e in self.state.queue.values()],
            "flush": self.state.flush.to_json() if self.state.flush else None,
            "flushes": self.state.flush_seq,
        }
