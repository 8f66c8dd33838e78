"""What an original's header says: its size as displayed (EXIF orientation applied) and its format.

Boxes derived from the source's aspect, and the refusal of sizes over the limit, must
come before any decoding, and must use the size the pipeline will see: a portrait photo
stored sideways with an EXIF rotation is portrait. Only header data is read (JPEG APP1,
WebP EXIF chunk, a PNG eXIf chunk before the pixels); nothing is decoded.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from origin.imaging.errors import SourceTooLarge, SourceUnreadable

_ORIENTATION = 0x0112
_SWAPPING = (5, 6, 7, 8)  # transpose, rotate 270, transverse, rotate 90


@dataclass(frozen=True)
class SourceHeader:
    width: int
    height: int
    format: str  # Pillow's name, lowercased


def read_header(body: bytes, max_pixels: int) -> SourceHeader:
    """The displayed size and format of an original, from its header alone.

    Raises ``SourceUnreadable`` when it is no image, ``SourceTooLarge`` when it has more
    than ``max_pixels`` pixels."""
    try:
        with Image.open(io.BytesIO(body)) as image:
            width, height = image.size
            fmt = (image.format or "").lower()
            orientation = _orientation(image.info.get("exif"))
    except Image.DecompressionBombError as exc:
        raise SourceTooLarge(f"source image is too large: {exc}") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError) as exc:
        raise SourceUnreadable(f"source is not a readable image: {exc}") from None
    if width < 1 or height < 1:
        raise SourceUnreadable("source image has no pixels")
    if width * height > max_pixels:
        raise SourceTooLarge(
            f"source image has {width * height} pixels, over the limit of {max_pixels}"
        )
    if orientation in _SWAPPING:
        width, height = height, width
    return SourceHeader(width, height, fmt)


def _orientation(raw: object) -> int:
    if not isinstance(raw, bytes | bytearray) or not raw:
        return 1
    exif = Image.Exif()
    try:
        exif.load(bytes(raw))
        value = exif.get(_ORIENTATION, 1)
    except (OSError, SyntaxError, ValueError, EOFError, KeyError, TypeError):
        return 1  # damaged EXIF: the pixels as stored
    return value if isinstance(value, int) else 1
