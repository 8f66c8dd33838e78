"""Bytes in, pixels out, without trusting the bytes.

In order: :func:`open_image` reads the header only and refuses a size over the limit before
any pixel is decoded (and, asked to, verifies the file's structure, then reopens it:
``verify()`` is no decode, and leaves the image unusable); :func:`load_pixels` decodes the
current frame, a JPEG at a reduced DCT scale when the output needs less (the two:
:func:`load_image`); :func:`upright` applies the EXIF orientation and converts to a working
mode. :func:`decode` is all three.

One pixel limit rule (:func:`pixel_limit`): the caller's limit, never above Pillow's own
``MAX_IMAGE_PIXELS``. Pillow only *warns* (``DecompressionBombWarning``) between that and
twice it, and raises above; here whatever it would warn about is refused as
:class:`ImageTooLarge` from the header, like what it raises about, and so is the warning
itself where a process turns warnings into errors. Turning it into an error per call with
``warnings.catch_warnings`` is not an option: that swaps process-wide state, and decodes run
on several threads at once.

Everything Pillow raises for bad bytes becomes an :class:`UnreadableImage`
(:func:`imaging.errors.refusing`); nothing else escapes.
"""

from __future__ import annotations

import io
from collections.abc import Collection

from PIL import Image, ImageOps

from imaging import dct_scaling
from imaging.errors import DECODE_ERRORS, NOT_AN_IMAGE, ImageTooLarge, UnreadableImage, refusing
from imaging.modes import to_working_mode

# EXIF orientations that swap width and height (transpose, rotate 90/270, transverse).
_SWAPPING_ORIENTATIONS = {5, 6, 7, 8}
_EXIF_ORIENTATION = 0x0112


def pixel_limit(max_pixels: int) -> int:
    """The effective limit: ``max_pixels``, and never above Pillow's bomb threshold."""
    pillow_limit = Image.MAX_IMAGE_PIXELS
    return min(max_pixels, pillow_limit) if pillow_limit else max_pixels


def open_image(
    data: bytes,
    max_pixels: int,
    *,
    formats: Collection[str] | None = None,
    verify: bool = False,
) -> Image.Image:
    """The image, opened lazily: its header read and its size checked, no pixel decoded.

    ``formats``: the Pillow format names whose parsers may see the bytes (default: all).
    ``verify``: also check the whole file's structure (PNG chunk checksums and its end, for
    instance), for callers that must refuse a damaged file even where its pixels decode."""
    limit = pixel_limit(max_pixels)
    unidentified = NOT_AN_IMAGE if formats is None else _not_one_of(formats)
    with refusing("the image is corrupt or truncated", unidentified=unidentified):
        image = _open(data, formats)
        _check_size(image.size, limit)
        if verify:
            image.verify()
            image = _open(data, formats)
    return image


def _open(data: bytes, formats: Collection[str] | None) -> Image.Image:
    return Image.open(io.BytesIO(data), formats=list(formats) if formats is not None else None)


def _check_size(size: tuple[int, int], limit: int) -> None:
    width, height = size
    if width < 1 or height < 1:
        raise UnreadableImage("the image has no pixels")
    if width * height > limit:
        raise ImageTooLarge(
            f"the image is {width}×{height} = {width * height} pixels, over the limit of {limit}"
        )


def _not_one_of(formats: Collection[str]) -> str:
    return f"the bytes are not a {', '.join(sorted(formats))} image"


def load_pixels(image: Image.Image, needed: float = 1.0) -> Image.Image:
    """Decode the current frame's pixels, in place, and return the image.

    ``needed`` is the fraction of the source's resolution the output is made of: below 1,
    a JPEG is decoded at the smallest DCT scale that leaves the resample its margin."""
    if needed < 1:
        dct_scaling.reduce_while_decoding(image, needed)
    with refusing("the image cannot be decoded"):
        image.load()
    return image


def upright(image: Image.Image) -> Image.Image:
    """A decoded image as it is meant to be seen: its EXIF orientation applied, in a working
    mode (:func:`imaging.modes.to_working_mode`)."""
    with refusing("the image's orientation cannot be applied"):
        ImageOps.exif_transpose(image, in_place=True)
    return to_working_mode(image)


def load_image(
    data: bytes,
    max_pixels: int,
    *,
    formats: Collection[str] | None = None,
    verify: bool = False,
    needed: float = 1.0,
) -> Image.Image:
    """The first frame of ``data`` decoded as stored: its mode, format, frames and metadata
    as the file has them (:func:`open_image`, then :func:`load_pixels`)."""
    return load_pixels(open_image(data, max_pixels, formats=formats, verify=verify), needed)


def decode(
    data: bytes, max_pixels: int, *, verify: bool = False, needed: float = 1.0
) -> Image.Image:
    """The first frame of ``data``, decoded, upright, in a working mode."""
    return upright(load_image(data, max_pixels, verify=verify, needed=needed))


def oriented_size(image: Image.Image, *, header_only: bool = False) -> tuple[int, int]:
    """The size the image has once its EXIF orientation is applied.

    Some formats may keep their EXIF after the pixels (PNG): reading it then decodes the
    image, and a failure surfaces here. ``header_only`` reads only the EXIF before the
    pixels (JPEG APP1, WebP's EXIF chunk, a PNG eXIf chunk before its data), and takes a
    damaged one for no orientation."""
    width, height = image.size
    orientation = _header_orientation(image) if header_only else _orientation(image)
    return (height, width) if orientation in _SWAPPING_ORIENTATIONS else (width, height)


def _orientation(image: Image.Image) -> int:
    with refusing("the image cannot be decoded"):
        value = image.getexif().get(_EXIF_ORIENTATION, 1)
    return value if isinstance(value, int) else 1


def _header_orientation(image: Image.Image) -> int:
    raw = image.info.get("exif")
    if not isinstance(raw, bytes | bytearray) or not raw:
        return 1
    exif = Image.Exif()
    try:
        exif.load(bytes(raw))
        value = exif.get(_EXIF_ORIENTATION, 1)
    except DECODE_ERRORS:
        return 1  # damaged EXIF: the pixels as stored
    return value if isinstance(value, int) else 1
