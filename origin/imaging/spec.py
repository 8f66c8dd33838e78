"""What to render: the contract between the serving layer and the Pillow pipeline."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

# The output formats the Vimond API offers (those of them this Pillow build can write:
# origin.imaging.pipeline.available_formats), in the order they are offered.
Format = Literal["jpeg", "png", "webp", "avif"]
OFFERED_FORMATS: tuple[Format, ...] = ("jpeg", "png", "webp", "avif")
Mode = Literal["crop", "includeAll"]


@dataclass(frozen=True)
class RenderSpec:
    """A fully resolved variant. ``width``/``height``: the output box; when one is None
    it follows the aspect of the source after crop (the output is exactly the box)."""

    width: int | None
    height: int | None
    mode: Mode = "crop"
    gravity: str = "center"
    # Relative rectangle (left, top, right, bottom), 0.0–1.0, applied first.
    crop: tuple[float, float, float, float] | None = None
    rounded_corners: int = 0
    format: Format = "jpeg"
    quality: int = 85
    # Sources with more pixels than this (or than Pillow's bomb threshold, whichever is
    # lower: imaging.decoding.pixel_limit) are refused from their header, before decoding.
    max_source_pixels: int = 100_000_000
    # A last guard on the output box (the serving layer bounds width/height first); a side
    # derived from an extreme aspect could otherwise ask for gigapixels.
    max_output_pixels: int = 100_000_000
