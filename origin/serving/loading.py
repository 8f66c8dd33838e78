"""Reads what serving needs from storage: the pack, location configs, regions, originals.

Documents are read exactly as the admin backends store them (``origin.models.documents``),
originals exactly as the upload backend stores them (``origin.models.original_layout``).
"""

from __future__ import annotations

from common.errors import NotFound
from origin.models.documents import ImagePack, LocationConfig, Region
from origin.models.original_layout import original_key
from origin.serving.resolve import Source, image_at, next_fallback, pick_source
from origin.storage import Blob, Storage

# Chains are loop-free by construction; this bounds the reads a damaged chain may cost.
MAX_FALLBACK_CHAIN = 16


class ServingReads:
    """The storage reads of one tenant's serving path."""

    def __init__(self, storage: Storage) -> None:
        self.storage = storage

    async def pack(self, tenant: str, pack_id: str) -> ImagePack:
        item = await self.storage.get_item("packs", tenant, pack_id)
        if item is None:
            raise NotFound(f"no image pack {pack_id!r}", code="pack_not_found")
        return ImagePack.from_item(item)

    async def config(self, tenant: str, name: str) -> LocationConfig | None:
        item = await self.storage.get_item("location_configs", tenant, name)
        return LocationConfig.from_item(item) if item else None

    async def region_exists(self, tenant: str, name: str) -> bool:
        item = await self.storage.get_item("regions", tenant, name)
        return item is not None and Region.from_item(item).name == name

    async def original(self, tenant: str, image_id: str) -> Blob | None:
        return await self.storage.get_object(
            self.storage.settings.originals_bucket, original_key(tenant, image_id)
        )

    async def source(
        self,
        tenant: str,
        pack: ImagePack,
        location: str,
        config: LocationConfig | None,
        region: str | None,
    ) -> Source | None:
        """The image that answers ``location`` (spec "Fallback"): the location's own, then
        each location of its config's fallback chain, then the pack's main location; at
        each, the region's image before the default one. Fallback configs are read only
        as far as the chain must be followed."""
        chain = [location]
        current = config
        while image_at(pack, chain[-1], region) is None and len(chain) < MAX_FALLBACK_CHAIN:
            following = next_fallback(current, chain)
            if following is None:
                break
            chain.append(following)
            current = await self.config(tenant, following)
        return pick_source(pack, chain, region)
