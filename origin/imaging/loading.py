"""Reading an original: header checks before any pixel is decoded, DCT draft scaling, EXIF
orientation, and one small set of working modes (RGB or RGBA)."""

from __future__ import annotations

import io
import math

from PIL import Image, ImageFile, ImageOps, UnidentifiedImageError, features

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


# libjpeg scales while it decodes (a smaller IDCT per 8×8 block), to num/8 of the size. Each
# scale is used only while the resample that follows keeps at least this many decoded pixels
# per output pixel: the coarse 2×2 and 1×1 IDCTs and the 4×4 one need the margin to filter
# out their blockiness; the 3×3 IDCT, accurate enough, needs less. tests/origin/imaging/
# test_speedups.py checks the result against a full decode at every scale.
DCT_SCALES: tuple[tuple[int, float], ...] = ((1, 1.5), (2, 1.5), (3, 1.15), (4, 1.5))


def decode(image: Image.Image, needed: float) -> Image.Image:
    """Decode pixels, letting JPEG's DCT scaling skip detail finer than the output needs.

    ``needed`` is the fraction of the source's resolution the output is made of; values
    ≥ 1 (and any non-JPEG source) decode at full size."""
    if image.format == "JPEG":
        eighths = dct_eighths(needed)
        if eighths < 8:
            _reduce_while_decoding(image, eighths)
    try:
        image.load()
        # Only the first frame of animations is rendered.
        ImageOps.exif_transpose(image, in_place=True)
    except Image.DecompressionBombError as exc:
        raise SourceTooLarge(f"source image is too large: {exc}") from None
    except DECODE_ERRORS as exc:
        raise SourceUnreadable(f"source image cannot be decoded: {exc}") from None
    return to_working_mode(image)


def dct_eighths(needed: float) -> int:
    """The smallest JPEG decoding scale, in eighths, that leaves the resample its margin."""
    for eighths, margin in DCT_SCALES:
        if eighths == 3 and not _SCALED_IDCT:
            continue
        if eighths / 8 >= needed * margin:
            return eighths
    return 8


# IJG's libjpeg 6b only has the power-of-two scales; libjpeg-turbo (Pillow's wheels) has M/8.
_SCALED_IDCT = bool(features.check_feature("libjpeg_turbo"))


def _reduce_while_decoding(image: Image.Image, eighths: int) -> None:
    width, height = image.size
    if eighths != 3:
        den = 8 // eighths
        image.draft(None, (max(1, width // den), max(1, height // den)))
        return
    # Pillow's draft() offers powers of two only, but its decoder hands any denominator to
    # libjpeg, which rounds 1/3 up to its 3/8 scaled IDCT: this is what draft() would set.
    size = (math.ceil(width * 3 / 8), math.ceil(height * 3 / 8))
    if not isinstance(image, ImageFile.ImageFile) or len(image.tile) != 1 or image.decoderconfig:
        return
    image._size = size
    image.tile = [image.tile[0]._replace(extents=(0, 0, *size))]
    image.decoderconfig = (3, 0)


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
