"""Deciding whether uploaded bytes are an image we accept, without trusting them.

Uploads come from anyone holding an admin token or from any allowed fetch host, so
decoding is defensive: the size the header declares is checked before any pixel is
decoded (a decompression bomb is refused by its header), then the file is verified and
fully decoded once, so that truncated files are refused here rather than at serve time.
Call :func:`inspect_image` off the event loop: it decodes.
"""

from __future__ import annotations

import io
from dataclasses import dataclass

from PIL import Image, UnidentifiedImageError

from common.errors import Unprocessable

# Pillow format name → the Content-Type the original is stored (and downloaded) with.
ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}

# Everything Pillow raises for bytes it cannot (or must not) decode.
_DECODE_ERRORS = (
    UnidentifiedImageError,
    Image.DecompressionBombError,
    Image.DecompressionBombWarning,
    OSError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    TypeError,
)


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str  # lowercased Pillow name, as OriginalMeta records it
    content_type: str


def pixel_limit(max_pixels: int) -> int:
    """The effective limit: ours, and never above Pillow's own bomb threshold (so that
    Pillow's DecompressionBombWarning can never be reached: what it would warn about,
    we refuse)."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return min(max_pixels, pillow_limit) if pillow_limit else max_pixels


def inspect_image(data: bytes, max_pixels: int) -> ImageInfo:
    """Width, height and format of ``data``, or :class:`Unprocessable` (422) when it is
    not a JPEG/PNG/WebP/GIF, is truncated or corrupt, or declares more than
    ``max_pixels`` pixels. Only the first frame of an animation is decoded.

    Pillow still *warns* at open about sizes above its own MAX_IMAGE_PIXELS; the limit
    used here never exceeds that, so whatever it warns about is refused. (Turning the
    warning into an error with ``warnings.catch_warnings`` would not be thread-safe,
    and this runs on worker threads.)"""
    if not data:
        raise Unprocessable("the upload is empty", code="not_an_image")
    limit = pixel_limit(max_pixels)
    # Only the parsers of the formats we accept ever see the bytes.
    formats = tuple(ACCEPTED_FORMATS)
    try:
        with Image.open(io.BytesIO(data), formats=formats) as probe:
            fmt = probe.format or ""
            width, height = probe.size
            _check_pixels(width, height, limit)
            probe.verify()
        # verify() leaves the image unusable and is not a full decode: reopen and load.
        with Image.open(io.BytesIO(data), formats=formats) as image:
            _check_pixels(*image.size, limit)
            image.load()
    except Unprocessable:
        raise
    except Image.DecompressionBombError as exc:
        raise Unprocessable(
            f"decompression bomb refused: {exc}", code="decompression_bomb"
        ) from None
    except UnidentifiedImageError:
        raise Unprocessable(
            "the upload is not a JPEG, PNG, WebP or GIF image", code="not_an_image"
        ) from None
    except _DECODE_ERRORS as exc:
        raise Unprocessable(
            f"the image is truncated or corrupt: {exc}", code="corrupt_image"
        ) from None
    if fmt not in ACCEPTED_FORMATS:  # cannot happen with formats=…, but never store a surprise
        raise Unprocessable(f"unsupported image format {fmt!r}", code="not_an_image")
    return ImageInfo(width, height, fmt.lower(), ACCEPTED_FORMATS[fmt])


def _check_pixels(width: int, height: int, limit: int) -> None:
    if width < 1 or height < 1:
        raise Unprocessable("the image has no pixels", code="corrupt_image")
    if width * height > limit:
        raise Unprocessable(
            f"the image declares {width}x{height} pixels, more than the {limit} allowed",
            code="decompression_bomb",
        )
