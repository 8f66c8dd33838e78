"""Deciding whether uploaded bytes are an image we accept, without trusting them.

Uploads come from anyone holding an admin token or from any allowed fetch host, so
decoding is defensive (the imaging core's rules): the size the header declares is checked
before any pixel is decoded (a decompression bomb is refused by its header), then the file
is verified and fully decoded once, so that truncated files are refused here rather than at
serve time. Call :func:`inspect_image` off the event loop: it decodes.
"""

from __future__ import annotations

from dataclasses import dataclass

from common.errors import Unprocessable
from imaging.decoding import load_image
from imaging.errors import ImageTooLarge, NotAnImage, UnreadableImage

# Pillow format name → the Content-Type the original is stored (and downloaded) with.
ACCEPTED_FORMATS = {
    "JPEG": "image/jpeg",
    "PNG": "image/png",
    "WEBP": "image/webp",
    "GIF": "image/gif",
}


@dataclass(frozen=True)
class ImageInfo:
    width: int
    height: int
    format: str  # lowercased Pillow name, as OriginalMeta records it
    content_type: str


def inspect_image(data: bytes, max_pixels: int) -> ImageInfo:
    """Width, height and format of ``data``, or :class:`Unprocessable` (422) when it is
    not a JPEG/PNG/WebP/GIF, is truncated or corrupt, or declares more than
    ``max_pixels`` pixels (or than Pillow's bomb threshold). Only the first frame of an
    animation is decoded."""
    if not data:
        raise Unprocessable("the upload is empty", code="not_an_image")
    try:
        # Only the parsers of the formats we accept ever see the bytes.
        image = load_image(data, max_pixels, formats=ACCEPTED_FORMATS, verify=True)
    except ImageTooLarge as exc:
        raise Unprocessable(
            f"decompression bomb refused: {exc}", code="decompression_bomb"
        ) from None
    except NotAnImage:
        raise Unprocessable(
            "the upload is not a JPEG, PNG, WebP or GIF image", code="not_an_image"
        ) from None
    except UnreadableImage as exc:
        raise Unprocessable(
            f"the image is truncated or corrupt: {exc}", code="corrupt_image"
        ) from None
    fmt = image.format or ""
    if fmt not in ACCEPTED_FORMATS:  # cannot happen with formats=…, but never store a surprise
        raise Unprocessable(f"unsupported image format {fmt!r}", code="not_an_image")
    return ImageInfo(image.width, image.height, fmt.lower(), ACCEPTED_FORMATS[fmt])
