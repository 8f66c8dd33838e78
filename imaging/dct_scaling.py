"""JPEG decoded at a reduced scale: libjpeg scales while it decodes (a smaller IDCT per 8×8
block), to num/8 of the size, so detail finer than the output needs is never decoded."""

from __future__ import annotations

import math

from PIL import Image, ImageFile, features

# Each scale is used only while the resample that follows keeps at least this many decoded
# pixels per output pixel: the coarse 2×2 and 1×1 IDCTs and the 4×4 one need the margin to
# filter out their blockiness; the 3×3 IDCT, accurate enough, needs less.
# tests/origin/imaging/test_speedups.py checks the result against a full decode at every scale.
DCT_SCALES: tuple[tuple[int, float], ...] = ((1, 1.5), (2, 1.5), (3, 1.15), (4, 1.5))

# IJG's libjpeg 6b only has the power-of-two scales; libjpeg-turbo (Pillow's wheels) has M/8.
_SCALED_IDCT = bool(features.check_feature("libjpeg_turbo"))


def dct_eighths(needed: float) -> int:
    """The smallest JPEG decoding scale, in eighths, that leaves the resample its margin.

    ``needed`` is the fraction of the source's resolution the output is made of."""
    for eighths, margin in DCT_SCALES:
        if eighths == 3 and not _SCALED_IDCT:
            continue
        if eighths / 8 >= needed * margin:
            return eighths
    return 8


def reduce_while_decoding(image: Image.Image, needed: float) -> None:
    """Before ``load()``: have a JPEG decoded at the smallest scale ``needed`` allows."""
    eighths = dct_eighths(needed) if image.format == "JPEG" else 8
    if eighths == 8:
        return
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
