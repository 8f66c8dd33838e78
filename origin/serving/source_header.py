"""What an original's header says: its size as displayed (EXIF orientation applied) and its format.

Boxes derived from the source's aspect, and the refusal of sizes over the limit, must
come before any decoding, and must use the size the pipeline will see: a portrait photo
stored sideways with an EXIF rotation is portrait. Only header data is read (JPEG APP1,
WebP EXIF chunk, a PNG eXIf chunk before the pixels); nothing is decoded.
"""

from __future__ import annotations

from dataclasses import dataclass

from imaging.decoding import open_image, oriented_size


@dataclass(frozen=True)
class SourceHeader:
    width: int
    height: int
    format: str  # Pillow's name, lowercased


def read_header(body: bytes, max_pixels: int) -> SourceHeader:
    """The displayed size and format of an original, from its header alone.

    Raises ``imaging.errors.UnreadableImage`` when it is no image, ``ImageTooLarge`` when
    it has more than ``max_pixels`` pixels (or than Pillow's bomb threshold)."""
    image = open_image(body, max_pixels)
    width, height = oriented_size(image, header_only=True)
    return SourceHeader(width, height, (image.format or "").lower())
