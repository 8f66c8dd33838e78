"""Reading an original: header checks before any pixel is decoded, DCT draft scaling, EXIF
orientation, and one small set of working modes (RGB or RGBA)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageOps, UnidentifiedImageError

from origin.imaging.errors import SourceTooLarge, SourceUnreadable
from origin.imaging.geometry import Size

# Pillow signals a bad file through several exception types (PITFALLS.md).
DECODE_ERRORS = (UnidentifiedImageError, OSError, SyntaxError, ValueError, EOFError, IndexError)

# EXIF orientations that swap width and height (transpose, rotate 90/270, transverse).
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


def open_source(data: bytes, max_pixels: int) -> Image.Image:
    """Open an original lazily (header only) and refuse it if it has too many pixels."""
    try:
        image = Image.open(io.BytesIO(data))
    except Image.DecompressionBombError as exc:
        raise SourceTooLarge(f"source image is too large: {exc}") from None
    except DECODE_ERRORS as exc:
        raise SourceUnreadable(f"source is not a readable image: {exc}") from None
    width, height = image.size
    if width < 1 or height < 1:
        raise SourceUnreadable("source image has no pixels")
    if width * height > max_pixels:
        raise SourceTooLarge(
            f"source image is {width}×{height} = {width * height} pixels, over the limit of {max_pixels}"
        )
    return image


def oriented_size(image: Image.Image) -> Size:
    """The size the image has once its EXIF orientation is applied."""
    # For some formats (PNG: EXIF may follow the pixels) this decodes the image; a failure
    # then must surface here, as a later load() of a failed image quietly returns garbage.
    try:
        orientation = image.getexif().get(_EXIF_ORIENTATION, 1)
    except DECODE_ERRORS as exc:
        raise SourceUnreadable(f"source image cannot be decoded: {exc}") from None
    width, height = image.size
    return (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)


def decode(image: Image.Image, scale: float) -> Image.Image:
    """Decode pixels, letting JPEG's DCT scaling skip detail finer than ``scale`` needs.

    ``scale`` is the fraction of the source's resolution the later steps still need (with
    their own safety margin already included); values ≥ 1 decode at full size."""
    if scale < 1.0 and image.format == "JPEG":
        want = (max(1, math.ceil(image.width * scale)), max(1, math.ceil(image.height * scale)))
        image.draft(None, want)
    try:
        image.load()
        # Only the first frame of animations is rendered.
        ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError as exc:
        raise SourceTooLarge(f"source image is too large: {exc}") from None
    except DECODE_ERRORS as exc:
        raise SourceUnreadable(f"source image cannot be decoded: {exc}") from None
    return to_working_mode(image)


def to_working_mode(image: Image.Image) -> Image.Image:
    """RGB, or RGBA when the image carries transparency. Palette, grey, CMYK, YCbCr and
    16-bit or float greys are converted; 16-bit values are scaled, not clipped."""
    mode = image.mode
    if mode in ("RGB", "RGBA"):
        return image
    if mode in ("I;16", "I;16L", "I;16B", "I;16N", "I"):
        top = 65535 if mode.startswith("I;16") else _int_maximum(image)
        image = image.convert("I") if mode != "I" else image
        return image.point(lambda v: v * (255 / top)).convert("L").convert("RGB")
    if mode == "F":
        return image.point(lambda v: v * 255).convert("L").convert("RGB")
    if mode == "P":
        return image.convert("RGBA" if "transparency" in image.info else "RGB")
    if mode in ("LA", "La", "PA", "RGBa"):
        return image.convert("RGBA")
    if mode == "L" and "transparency" in image.info:
        return image.convert("RGBA")
    return image.convert("RGB")


def _int_maximum(image: Image.Image) -> int:
    """The brightest value of a 32-bit integer image (its white point), at least 1."""
    extrema = image.getextrema()
    top = extrema[1] if isinstance(extrema[1], (int, float)) else 1
    return max(1, int(top))
