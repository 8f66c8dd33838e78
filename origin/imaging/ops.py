"""The Vimond operations, each one small function from an image and parameters to an image
(thumbor-style): crop to a relative rectangle, fill a box, fit and pad, round corners.
:mod:`origin.imaging.pipeline` composes them; decoding and encoding are :mod:`imaging`'s."""

from __future__ import annotations

from functools import lru_cache

from PIL import Image, ImageChops, ImageDraw

from origin.imaging import geometry
from origin.imaging.geometry import Rect, Size

# resize() first shrinks by a whole factor with reduce() (a cheap box average) while the
# image stays at least this many times the target; the filter below does the rest.
REDUCING_GAP = 2.0
# The last resample's filter, by how much it shrinks (see tests/origin/imaging/test_speedups.py,
# which compares with one LANCZOS resample of the fully decoded source):
# - from 2× on, LANCZOS, whose wide window is what prevents aliasing there;
# - below 2×, BICUBIC: about 25% less work, and on photos 0.3–0.9 of 255 away (PSNR > 43 dB),
#   a third of what the JPEG q85 encoding that follows changes (~3 of 255, 35 dB);
# - below 1.5× of a fully decoded image, BILINEAR (its window is half as wide again): photos at
#   full resolution keep little detail near the new Nyquist limit, PSNR > 42 dB. After DCT
#   scaling the image is sharp right up to that limit and needs BICUBIC (BILINEAR: ~39 dB).
BICUBIC_BELOW_SHRINK = 2.0
BILINEAR_BELOW_SHRINK = 1.5
# Supersampling of the rounded-corner mask, so the arc is antialiased.
_CORNER_SUPERSAMPLE = 4
TRANSPARENT = (0, 0, 0, 0)


def crop_relative(image: Image.Image, rel: Rect | None) -> Image.Image:
    """Keep the relative rectangle (left, top, right, bottom in 0.0–1.0) of the image."""
    if rel is None:
        return image
    rect = geometry.crop_pixels(rel, image.size)
    if rect == (0, 0, image.width, image.height):
        return image
    return image.crop(rect)


def fill_box(
    image: Image.Image, box: Size, gravity: str, full_resolution: bool = True
) -> Image.Image:
    """Scale the image to cover the whole box and cut the overflow at the gravity (crop mode).

    ``full_resolution``: false when the decoder already scaled the image down (see
    :func:`resample_filter`)."""
    region = geometry.fill_region(image.size, box, gravity)
    if box == image.size and region == (0.0, 0.0, float(image.width), float(image.height)):
        return image
    shrink = (region[2] - region[0]) / box[0]
    return image.resize(
        box, resample_filter(shrink, full_resolution), box=region, reducing_gap=REDUCING_GAP
    )


def fit_and_pad(
    image: Image.Image,
    box: Size,
    gravity: str,
    aspect_of: Size | None = None,
    full_resolution: bool = True,
) -> Image.Image:
    """Scale the whole image to fit inside the box and pad the rest with fully transparent
    pixels, placing the image at the gravity (includeAll mode).

    ``aspect_of``: the size whose aspect the fitted image keeps, when the image at hand is a
    reduced decode whose rounded-up size would be a pixel off (default: the image's own)."""
    fitted_size = geometry.fit_size(aspect_of or image.size, box)
    if fitted_size != image.size:
        shrink = image.width / fitted_size[0]
        image = image.resize(
            fitted_size, resample_filter(shrink, full_resolution), reducing_gap=REDUCING_GAP
        )
    if fitted_size == box:
        return image
    canvas = Image.new("RGBA", box, TRANSPARENT)
    # Without a mask paste copies the pixels, alpha included (RGB gets 255), so a transparent
    # source stays transparent.
    canvas.paste(image, geometry.pad_offset(fitted_size, box, gravity))
    return canvas


def resample_filter(shrink: float, full_resolution: bool = True) -> Image.Resampling:
    """The resampling filter for a resize that shrinks by ``shrink`` (below 1: enlarges) an
    image decoded at full resolution, or already scaled down by the JPEG decoder."""
    if shrink >= BICUBIC_BELOW_SHRINK:
        return Image.Resampling.LANCZOS
    if full_resolution and 1.0 < shrink < BILINEAR_BELOW_SHRINK:
        return Image.Resampling.BILINEAR
    return Image.Resampling.BICUBIC


def round_corners(image: Image.Image, radius: int) -> Image.Image:
    """Make everything outside quarter circles of ``radius`` at the four corners transparent.

    The radius is capped at half the shorter side; the inside keeps its own alpha."""
    radius = min(radius, image.width // 2, image.height // 2)
    if radius <= 0:
        return image
    mask = Image.new("L", image.size, 255)
    corner = _corner_mask(radius)
    mask.paste(corner, (0, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_LEFT_RIGHT), (image.width - radius, 0))
    mask.paste(corner.transpose(Image.Transpose.FLIP_TOP_BOTTOM), (0, image.height - radius))
    mask.paste(
        corner.transpose(Image.Transpose.ROTATE_180), (image.width - radius, image.height - radius)
    )
    if image.mode == "RGBA":
        mask = ImageChops.multiply(image.getchannel("A"), mask)
    else:
        image = image.convert("RGBA")
    image.putalpha(mask)
    return image


@lru_cache(maxsize=64)
def _corner_mask(radius: int) -> Image.Image:
    """The top-left corner tile: opaque inside the quarter circle centred at (radius, radius)."""
    big = radius * _CORNER_SUPERSAMPLE
    tile = Image.new("L", (big, big), 0)
    ImageDraw.Draw(tile).ellipse((0, 0, 2 * big - 1, 2 * big - 1), fill=255)
    return tile.resize((radius, radius), Image.Resampling.BOX)
