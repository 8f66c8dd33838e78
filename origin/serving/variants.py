"""The S3 variant cache: rendered variants stored in the variants bucket under their key.

A stored variant carries in its S3 metadata everything a response needs (its ETag,
which location's image it shows, when that original was stored), so that a hit costs
one S3 read and no look at the original.
"""

from __future__ import annotations

from dataclasses import dataclass

from origin.serving.conditional import etag_of
from origin.serving.variant_budget import VariantBudget
from origin.storage import Storage


@dataclass(frozen=True)
class Variant:
    """A variant's bytes and the facts its response states."""

    key: str
    body: bytes
    content_type: str
    etag: str
    image_location: str
    image_region: str | None
    source_modified: float  # when the original was stored (simulated epoch seconds)


class VariantStore:
    def __init__(self, storage: Storage, budget: VariantBudget | None = None) -> None:
        self.storage = storage
        self.bucket = storage.settings.variants_bucket
        self.budget = budget

    def fits(self, variant: Variant) -> bool:
        """Whether the variant can be stored at all (it is not larger than the budget)."""
        return self.budget is None or len(variant.body) <= self.budget.limit

    async def get(self, key: str) -> Variant | None:
        blob = await self.storage.get_object(self.bucket, key)
        if blob is None:
            return None
        meta = blob.metadata
        try:
            modified = float(meta.get("source-modified", "0"))
        except ValueError:
            modified = 0.0
        return Variant(
            key=key,
            body=blob.body,
            content_type=blob.content_type,
            # Metadata is ours; recompute when another writer left it out.
            etag=f'"{meta["etag"]}"' if meta.get("etag") else etag_of(blob.body),
            image_location=meta.get("image-location", ""),
            image_region=meta.get("image-region") or None,
            source_modified=modified,
        )

    async def put(self, variant: Variant) -> None:
        metadata = {
            "etag": variant.etag.strip('"'),
            "image-location": variant.image_location,
            "source-modified": f"{variant.source_modified:.3f}",
        }
        if variant.image_region:
            metadata["image-region"] = variant.image_region
        await self.storage.put_object(
            self.bucket, variant.key, variant.body, variant.content_type, metadata
        )
        if self.budget is not None:
            await self.budget.stored(variant.key, len(variant.body))
