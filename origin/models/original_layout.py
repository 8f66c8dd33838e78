"""Where an original lives in the originals bucket and what is recorded with it.

Key: ``{tenant}/{imageId}``. The S3 metadata carries what serving needs without
decoding the image (its size and format) and when it was stored (simulated time).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


def original_key(tenant: str, image_id: str) -> str:
    return f"{tenant}/{image_id}"


@dataclass(frozen=True)
class OriginalMeta:
    width: int
    height: int
    format: str  # Pillow's name, lowercased: jpeg, png, webp, gif, …
    uploaded: float  # simulated epoch seconds
    pack: str
    location: str
    region: str | None = None

    def to_metadata(self) -> dict[str, str]:
        meta = {
            "width": str(self.width),
            "height": str(self.height),
            "format": self.format,
            "uploaded": f"{self.uploaded:.3f}",
            "pack": self.pack,
            "location": self.location,
        }
        if self.region:
            meta["region"] = self.region
        return meta

    @classmethod
    def from_metadata(cls, meta: Mapping[str, str]) -> OriginalMeta:
        return cls(
            width=int(meta["width"]),
            height=int(meta["height"]),
            format=meta["format"],
            uploaded=float(meta["uploaded"]),
            pack=meta["pack"],
            location=meta["location"],
            region=meta.get("region"),
        )
