"""Why bytes could not become pixels. Plain exceptions that carry only a message, so that
they pickle across a render pool's process boundary; each service maps them to its answer.

:func:`refusing` turns what Pillow raises for bad bytes (PITFALLS.md: several exception
types) into these, so that nothing else escapes the core."""

from __future__ import annotations

import struct
from collections.abc import Iterator
from contextlib import contextmanager

from PIL import Image, UnidentifiedImageError


class UnreadableImage(Exception):
    """The bytes cannot be decoded: corrupt, truncated, or not an image at all."""


class NotAnImage(UnreadableImage):
    """No format this Pillow build reads (or none of the formats allowed) recognises the bytes."""


class ImageTooLarge(UnreadableImage):
    """More pixels than the limit allows; refused from the header, before any pixel is decoded."""


# What Pillow's parsers and decoders raise for damaged or hostile input (its AVIF plugin
# reports libavif's failures as RuntimeError).
DECODE_ERRORS = (
    OSError,
    RuntimeError,
    SyntaxError,
    ValueError,
    EOFError,
    IndexError,
    KeyError,
    TypeError,
    ZeroDivisionError,
    struct.error,
)
# Pillow's bomb guard: an error over twice its MAX_IMAGE_PIXELS, a warning over it (an
# error too where a process turns warnings into errors).
BOMB_ERRORS = (Image.DecompressionBombError, Image.DecompressionBombWarning)
NOT_AN_IMAGE = "the bytes are not an image in any format this service reads"


@contextmanager
def refusing(doing: str, *, unidentified: str = NOT_AN_IMAGE) -> Iterator[None]:
    """Pillow's exceptions inside, raised as :class:`ImageTooLarge`, :class:`NotAnImage`
    (``unidentified``) or :class:`UnreadableImage` ("``doing``: why")."""
    try:
        yield
    except BOMB_ERRORS as exc:
        raise ImageTooLarge(f"the image is too large: {exc}") from None
    except UnidentifiedImageError:
        raise NotAnImage(unidentified) from None
    except DECODE_ERRORS as exc:
        raise UnreadableImage(f"{doing}: {exc}") from None
