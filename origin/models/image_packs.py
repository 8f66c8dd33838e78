"""Image packs and their per-location settings: state and rules, no HTTP.

Every write to a pack is a conditional write on its ``sequenceNumber`` (the item's
``version``), so concurrent writers never overwrite each other silently: a write either
lands on the version it read, or is re-read and re-applied, or answers 409.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import replace
from typing import Any

from common.clock import Clock
from common.errors import BadRequest, Conflict, NotFound
from common.events import EventLog
from common.ids import IdGenerator
from origin.models import fields as f
from origin.models.documents import ImagePack, PackLocation, RegionImage
from origin.models.original_layout import original_key
from origin.models.pack_copy import PackCopier
from origin.storage.store import ConditionFailed, Storage

log = logging.getLogger(__name__)

TABLE = "packs"
PAGE_SIZE = 1000
MAX_OFFSET = 10**12 - 1  # listing offsets are at most 12 digits
# Unconditional writes re-read and re-apply this many times before giving up with 409.
WRITE_ATTEMPTS = 8
Change = Callable[[ImagePack], ImagePack]


class PackBackend:
    def __init__(self, storage: Storage, clock: Clock, events: EventLog, ids: IdGenerator) -> None:
        self.storage = storage
        self.clock = clock
        self.events = events
        self.ids = ids
        self.copier = PackCopier(storage, clock, events, ids)

    # -- packs ----------------------------------------------------------------------
    async def create_image_pack(self, tenant: str, body: dict[str, Any]) -> ImagePack:
        now = f.iso(self.clock.now())
        f.sequence_number(body)  # checked, though a new pack has no version to match
        await self._check_body_regions(tenant, _regions_in_pack_body(body), ImagePack("", tenant))
        # Validate before drawing an id, so a refused body does not shift a seeded sequence.
        template = ImagePack("", tenant, created=now, modified=now, sequence_number=1)
        template = template.replace_metadata(body)
        for _ in range(WRITE_ATTEMPTS):
            pack = replace(template, id=self.ids.new_id())
            try:
                await self.storage.put_item(TABLE, pack.to_item(), expect_version=None)
            except ConditionFailed:
                continue  # an id already taken (a reseeded generator): draw another
            self._emit("image_pack_created", pack)
            return pack
        raise Conflict("could not allocate a new image pack id")

    async def get_image_pack(self, tenant: str, pack_id: str) -> ImagePack:
        pack = await self.find(tenant, pack_id)
        if pack is None:
            raise NotFound(f"no image pack {pack_id!r}", code="pack_not_found")
        return pack

    async def find(self, tenant: str, pack_id: str) -> ImagePack | None:
        if not f.ID_PATTERN.fullmatch(pack_id):
            return None  # never let a malformed id reach a storage key
        item = await self.storage.get_item(TABLE, tenant, pack_id)
        return ImagePack.from_item(item) if item else None

    async def update_image_pack(self, tenant: str, pack_id: str, body: dict[str, Any]) -> ImagePack:
        expected = f.sequence_number(body)
        old = await self.get_image_pack(tenant, pack_id)
        await self._check_body_regions(tenant, _regions_in_pack_body(body), old)
        _, new = await self.mutate(
            tenant, pack_id, lambda pack: pack.replace_metadata(body), expected
        )
        return new

    async def list_image_packs(self, tenant: str, offset: int) -> dict[str, Any]:
        items = await self.storage.query(TABLE, tenant)
        ids = sorted(str(item["id"]) for item in items)
        return {
            "imagePackIds": ids[offset : offset + PAGE_SIZE],
            "offset": offset,
            "total": len(ids),
        }

    async def copy_image_packs(
        self, source: str, target: str, pack_ids: list[str]
    ) -> dict[str, Any]:
        """Check that every pack exists, then copy them in the background (202).
        The arguments come from :func:`parse_copy_request`."""
        missing = [i for i in pack_ids if await self.find(source, i) is None]
        if missing:
            raise NotFound(
                f"no image packs {', '.join(missing)} in tenant {source!r}", code="pack_not_found"
            )
        copy_id = self.copier.start(source, target, pack_ids)
        return {"copyId": copy_id, "imagePackIds": pack_ids}

    async def close(self) -> None:
        """Stop background work (app cleanup)."""
        await self.copier.close()

    # -- pack locations ---------------------------------------------------------------
    async def get_pack_location(self, tenant: str, pack_id: str, location: str) -> PackLocation:
        pack = await self.get_image_pack(tenant, pack_id)
        found = pack.image_locations.get(location)
        if found is None:
            raise NotFound(
                f"image pack {pack_id!r} has no location {location!r}", code="location_not_found"
            )
        return found

    async def update_pack_location(
        self, tenant: str, pack_id: str, location: str, body: dict[str, Any]
    ) -> ImagePack:
        expected = f.sequence_number(body)
        old = await self.get_image_pack(tenant, pack_id)
        regions = f.object_field(body, "regions") or {}
        await self._check_body_regions(tenant, {location: set(regions)}, old)

        def change(pack: ImagePack) -> ImagePack:
            current = pack.image_locations.get(location)
            updated = PackLocation.parse_overrides(body, current)
            return replace(pack, image_locations={**pack.image_locations, location: updated})

        _, new = await self.mutate(tenant, pack_id, change, expected)
        return new

    async def update_pack_location_region(
        self, tenant: str, pack_id: str, location: str, region: str, body: dict[str, Any]
    ) -> ImagePack:
        expected = f.sequence_number(body)
        await self.get_image_pack(tenant, pack_id)
        await self.require_region(tenant, region)

        def change(pack: ImagePack) -> ImagePack:
            current = pack.image_locations.get(location) or PackLocation()
            updated = RegionImage.parse_overrides(body, current.regions.get(region))
            entry = replace(current, regions={**current.regions, region: updated})
            return replace(pack, image_locations={**pack.image_locations, location: entry})

        _, new = await self.mutate(tenant, pack_id, change, expected)
        return new

    async def delete_image_location(
        self, tenant: str, pack_id: str, body: dict[str, Any]
    ) -> ImagePack:
        expected = f.sequence_number(body)
        location = f.name(body.get("imageLocationName"), "imageLocationName")

        def change(pack: ImagePack) -> ImagePack:
            if location not in pack.image_locations:
                raise NotFound(
                    f"image pack {pack_id!r} has no location {location!r}",
                    code="location_not_found",
                )
            return replace(
                pack,
                image_locations={k: v for k, v in pack.image_locations.items() if k != location},
            )

        old, new = await self.mutate(tenant, pack_id, change, expected)
        removed = old.image_locations[location]
        # Only now that no pack points at them may the originals go.
        await self.delete_originals(tenant, pack_id, location, _image_ids_of(removed))
        return new

    # -- shared rules -----------------------------------------------------------------
    async def mutate(
        self, tenant: str, pack_id: str, change: Change, expected_seq: int | None = None
    ) -> tuple[ImagePack, ImagePack]:
        """Read-modify-write with a conditional put: ``(old, new)`` where ``old`` is exactly
        the version ``new`` replaced. With ``expected_seq`` the write happens only on that
        version (else 409); without, it is re-read and re-applied a few times, then 409."""
        for _ in range(WRITE_ATTEMPTS):
            old = await self.get_image_pack(tenant, pack_id)
            if expected_seq is not None and old.sequence_number != expected_seq:
                raise _stale(pack_id, expected_seq, old.sequence_number)
            new = replace(
                change(old),
                sequence_number=old.sequence_number + 1,
                modified=f.iso(self.clock.now()),
            )
            try:
                await self.storage.put_item(
                    TABLE, new.to_item(), expect_version=old.sequence_number
                )
            except ConditionFailed:
                if expected_seq is not None:
                    raise _stale(pack_id, expected_seq, None) from None
                continue
            self._emit("image_pack_updated", new)
            return old, new
        raise Conflict(
            f"image pack {pack_id!r} changed under {WRITE_ATTEMPTS} attempts in a row; try again",
            code="write_conflict",
        )

    async def require_region(self, tenant: str, region: str) -> None:
        """400 unless ``region`` is a region configured for ``tenant``."""
        if not f.is_name(region) or await self.storage.get_item("regions", tenant, region) is None:
            raise BadRequest(f"unknown region {region!r}", code="unknown_region", field="region")

    async def delete_originals(
        self, tenant: str, pack_id: str, location: str, image_ids: Iterable[str]
    ) -> None:
        bucket = self.storage.settings.originals_bucket
        for image_id in image_ids:
            if not f.ID_PATTERN.fullmatch(image_id):
                continue
            await self.storage.delete_object(bucket, original_key(tenant, image_id))
            self.events.append(
                "origin",
                "original_deleted",
                tenant=tenant,
                pack=pack_id,
                location=location,
                imageId=image_id,
            )

    async def _check_body_regions(
        self, tenant: str, wanted: dict[str, set[str]], pack: ImagePack
    ) -> None:
        """Regions named in a body must be configured, unless the pack already has them."""
        new = {
            region
            for location, regions in wanted.items()
            for region in regions
            if region not in (pack.image_locations.get(location) or PackLocation()).regions
        }
        if not new:
            return
        known = {str(item["id"]) for item in await self.storage.query("regions", tenant)}
        unknown = sorted(new - known)
        if unknown:
            raise BadRequest(
                f"unknown regions: {', '.join(unknown)}", code="unknown_region", field="regions"
            )

    def _emit(self, kind: str, pack: ImagePack) -> None:
        self.events.append(
            "origin", kind, tenant=pack.tenant, id=pack.id, sequenceNumber=pack.sequence_number
        )


def _stale(pack_id: str, expected: int, actual: int | None) -> Conflict:
    now = f" (it is {actual})" if actual is not None else ""
    return Conflict(
        f"image pack {pack_id!r} is no longer at sequenceNumber {expected}{now}",
        code="stale_sequence_number",
    )


def _image_ids_of(location: PackLocation) -> list[str]:
    ids = [location.image_id] if location.image_id else []
    return ids + [r.image_id for r in location.regions.values() if r.image_id]


def _regions_in_pack_body(body: Any) -> dict[str, set[str]]:
    """Region names per location in a full pack body (validation itself happens later)."""
    if not isinstance(body, dict) or not isinstance(body.get("imageLocations"), dict):
        return {}
    out: dict[str, set[str]] = {}
    for location, value in body["imageLocations"].items():
        if isinstance(value, dict) and isinstance(value.get("regions"), dict):
            out[str(location)] = {str(r) for r in value["regions"]}
    return out


def parse_copy_request(body: dict[str, Any]) -> tuple[str, str, list[str]]:
    """``(sourceTenant, targetTenant, imagePackIds)`` of a copyImagePacks body, or 400."""
    tenants = []
    for field in ("sourceTenant", "targetTenant"):
        value = body.get(field)
        if not isinstance(value, str) or not f.TENANT_PATTERN.fullmatch(value):
            raise BadRequest(f"{field} must be a tenant name", field=field)
        tenants.append(value)
    if tenants[0] == tenants[1]:
        raise BadRequest(
            "sourceTenant and targetTenant must differ", code="same_tenant", field="targetTenant"
        )
    ids = body.get("imagePackIds")
    if not isinstance(ids, list) or not ids or len(ids) > PAGE_SIZE:
        raise BadRequest(
            f"imagePackIds must be a list of 1 to {PAGE_SIZE} ids", field="imagePackIds"
        )
    if not all(isinstance(i, str) and f.ID_PATTERN.fullmatch(i) for i in ids):
        raise BadRequest("imagePackIds must be image pack ids", field="imagePackIds")
    return tenants[0], tenants[1], list(dict.fromkeys(ids))
