"""Originals: storing uploaded or fetched images for a (pack, location[, region]).

Order of work, so that a refused or lost upload leaves nothing behind: check the pack
and region, decode the bytes (422 before anything is stored), store the object under a
new image id, then point the pack at it with a conditional write. If that write fails
the new object is deleted again; if it lands, the original it replaced is deleted.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace

import aiohttp

from common.clock import Clock
from common.errors import NotFound
from common.events import EventLog
from common.ids import IdGenerator
from origin.models import fields as f
from origin.models.documents import ImagePack, PackLocation, RegionImage
from origin.models.image_fetch import fetch_bytes
from origin.models.image_packs import PackBackend
from origin.models.image_validation import inspect_image
from origin.models.original_layout import OriginalMeta, original_key
from origin.settings import OriginSettings
from origin.storage.store import Blob, Storage

log = logging.getLogger(__name__)


class OriginalsBackend:
    def __init__(
        self,
        settings: OriginSettings,
        storage: Storage,
        clock: Clock,
        events: EventLog,
        ids: IdGenerator,
        packs: PackBackend,
    ) -> None:
        self.settings = settings
        self.storage = storage
        self.clock = clock
        self.events = events
        self.ids = ids
        self.packs = packs
        # Decoding a large image takes a lot of memory: only as many at once as we have
        # render workers, whatever the number of uploads in flight.
        self._decoding = asyncio.Semaphore(max(1, settings.render_workers))

    @property
    def bucket(self) -> str:
        return self.storage.settings.originals_bucket

    async def upload(
        self, tenant: str, pack_id: str, location: str, region: str | None, data: bytes
    ) -> ImagePack:
        """Store ``data`` as the original of (pack, location[, region]); the updated pack."""
        await self.packs.get_image_pack(tenant, pack_id)
        if region is not None:
            await self.packs.require_region(tenant, region)
        async with self._decoding:
            info = await asyncio.to_thread(inspect_image, data, self.settings.max_image_pixels)
        image_id = self.ids.new_id()
        meta = OriginalMeta(
            info.width, info.height, info.format, self.clock.now(), pack_id, location, region
        )
        key = original_key(tenant, image_id)
        await self.storage.put_object(self.bucket, key, data, info.content_type, meta.to_metadata())

        def point_at_new(pack: ImagePack) -> ImagePack:
            return _with_image(pack, location, region, image_id)

        try:
            old, new = await self.packs.mutate(tenant, pack_id, point_at_new)
        except BaseException:
            # The pack never pointed at it: do not leave an orphan behind.
            await asyncio.shield(self.storage.delete_object(self.bucket, key))
            raise
        self.events.append(
            "origin",
            "original_stored",
            tenant=tenant,
            pack=pack_id,
            location=location,
            region=region,
            imageId=image_id,
            bytes=len(data),
        )
        replaced = _image_at(old, location, region)
        if replaced and replaced != image_id:
            await self.packs.delete_originals(tenant, pack_id, location, [replaced])
        return new

    async def fetch_image(
        self,
        tenant: str,
        pack_id: str,
        location: str,
        region: str | None,
        url: str,
        http: aiohttp.ClientSession,
    ) -> ImagePack:
        """Download ``url`` (allowed hosts only, within the limits) and store it as :meth:`upload` does."""
        await self.packs.get_image_pack(tenant, pack_id)
        if region is not None:
            await self.packs.require_region(tenant, region)
        data = await fetch_bytes(
            http,
            url,
            allowed=self.settings.fetch_allowed_hosts,
            limit=self.settings.max_upload_bytes,
            timeout=self.settings.fetch_timeout,
        )
        return await self.upload(tenant, pack_id, location, region, data)

    async def get_image_data(self, tenant: str, image_id: str) -> Blob:
        """The stored original ``image_id`` of ``tenant``; 404 for anything else."""
        if not f.ID_PATTERN.fullmatch(image_id):
            raise NotFound(f"no image {image_id!r}", code="image_not_found")
        blob = await self.storage.get_object(self.bucket, original_key(tenant, image_id))
        if blob is None:
            raise NotFound(f"no image {image_id!r}", code="image_not_found")
        return blob


def _image_at(pack: ImagePack, location: str, region: str | None) -> str | None:
    entry = pack.image_locations.get(location)
    if entry is None:
        return None
    if region is None:
        return entry.image_id
    found = entry.regions.get(region)
    return found.image_id if found else None


def _with_image(pack: ImagePack, location: str, region: str | None, image_id: str) -> ImagePack:
    entry = pack.image_locations.get(location) or PackLocation()
    if region is None:
        entry = replace(entry, image_id=image_id)
    else:
        current = entry.regions.get(region) or RegionImage()
        entry = replace(
            entry, regions={**entry.regions, region: replace(current, image_id=image_id)}
        )
    return replace(pack, image_locations={**pack.image_locations, location: entry})
