"""copyImagePacks in the background: packs and their originals from one tenant to another.

The request was validated before it was accepted (202); here each pack is copied with
its originals first and the pack record last, so the target never points at an original
that is not there yet. The outcome is an ``image_packs_copied`` event.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

from botocore.exceptions import BotoCoreError, ClientError

from common.clock import Clock
from common.errors import ApiError, Conflict
from common.events import EventLog
from common.ids import IdGenerator
from origin.models import fields as f
from origin.models.documents import ImagePack
from origin.models.original_layout import original_key
from origin.storage.store import ConditionFailed, Storage

log = logging.getLogger(__name__)

TABLE = "packs"
WRITE_ATTEMPTS = 8
# What copying one pack can run into: it vanished, storage refused or is shutting down.
_COPY_ERRORS = (
    LookupError,
    ApiError,
    BotoCoreError,
    ClientError,
    OSError,
    RuntimeError,
    ValueError,
)


def image_ids_of(pack: ImagePack) -> set[str]:
    """Every original a pack points at (locations and their regions)."""
    ids: set[str] = set()
    for location in pack.image_locations.values():
        if location.image_id:
            ids.add(location.image_id)
        ids.update(r.image_id for r in location.regions.values() if r.image_id)
    return ids


class PackCopier:
    def __init__(self, storage: Storage, clock: Clock, events: EventLog, ids: IdGenerator) -> None:
        self.storage = storage
        self.clock = clock
        self.events = events
        self.ids = ids
        # Strong references: the event loop keeps only weak ones to tasks.
        self._tasks: set[asyncio.Task[None]] = set()

    def start(self, source: str, target: str, pack_ids: list[str]) -> str:
        copy_id = self.ids.new_id()
        task = asyncio.get_running_loop().create_task(
            self._run(copy_id, source, target, pack_ids), name=f"copyImagePacks-{copy_id}"
        )
        self._tasks.add(task)
        task.add_done_callback(self._tasks.discard)
        return copy_id

    @property
    def running(self) -> int:
        return len(self._tasks)

    async def close(self) -> None:
        """Cancel copies still running and wait until they have stopped."""
        tasks = list(self._tasks)
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)

    async def _run(self, copy_id: str, source: str, target: str, pack_ids: list[str]) -> None:
        copied: list[str] = []
        failed: list[dict[str, str]] = []
        summary = {"copyId": copy_id, "sourceTenant": source, "targetTenant": target}
        try:
            for pack_id in pack_ids:
                try:
                    await self._copy_one(source, target, pack_id)
                    copied.append(pack_id)
                except _COPY_ERRORS as exc:  # one bad pack must not stop the others; reported below
                    log.warning("copy %s: pack %s failed: %s", copy_id, pack_id, exc)
                    failed.append({"id": pack_id, "error": str(exc)[:300]})
        except asyncio.CancelledError:
            self.events.append(
                "origin", "image_packs_copy_cancelled", **summary, imagePackIds=copied
            )
            raise
        self.events.append(
            "origin", "image_packs_copied", **summary, imagePackIds=copied, failed=failed
        )

    async def _copy_one(self, source: str, target: str, pack_id: str) -> None:
        item = await self.storage.get_item(TABLE, source, pack_id)
        if item is None:
            raise LookupError(f"image pack {pack_id!r} is gone from {source!r}")
        pack = ImagePack.from_item(item)
        bucket = self.storage.settings.originals_bucket
        for image_id in sorted(image_ids_of(pack)):
            if not f.ID_PATTERN.fullmatch(image_id):  # only generated ids ever become keys
                raise LookupError(f"pack {pack_id!r} holds a malformed image id")
            blob = await self.storage.get_object(bucket, original_key(source, image_id))
            if blob is None:
                raise LookupError(f"original {image_id!r} of pack {pack_id!r} is missing")
            await self.storage.put_object(
                bucket, original_key(target, image_id), blob.body, blob.content_type, blob.metadata
            )
        replaced = await self._write_copy(pack, target)
        # Originals the overwritten target pack had and the copy does not: nobody points at them now.
        for image_id in sorted(image_ids_of(replaced) - image_ids_of(pack)) if replaced else ():
            await self.storage.delete_object(bucket, original_key(target, image_id))
            self.events.append(
                "origin", "original_deleted", tenant=target, pack=pack_id, imageId=image_id
            )

    async def _write_copy(self, pack: ImagePack, target: str) -> ImagePack | None:
        """Write the copy over whatever the target holds (conditionally); returns that."""
        for _ in range(WRITE_ATTEMPTS):
            item = await self.storage.get_item(TABLE, target, pack.id)
            existing = ImagePack.from_item(item) if item else None
            copy = replace(
                pack,
                tenant=target,
                modified=f.iso(self.clock.now()),
                sequence_number=existing.sequence_number + 1 if existing else 1,
            )
            try:
                await self.storage.put_item(
                    TABLE,
                    copy.to_item(),
                    expect_version=existing.sequence_number if existing else None,
                )
            except ConditionFailed:
                continue
            kind = "image_pack_updated" if existing else "image_pack_created"
            self.events.append(
                "origin", kind, tenant=target, id=copy.id, sequenceNumber=copy.sequence_number
            )
            return existing
        raise Conflict(f"image pack {pack.id!r} in {target!r} kept changing during the copy")
