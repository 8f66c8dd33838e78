"""Animations read frame by frame (GIF, animated WebP and AVIF, APNG): how many frames,
each one decoded as it is shown, and how often the whole plays. Written back by
:func:`imaging.encoding.encode_animation`."""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from imaging.decoding import DECODE_ERRORS
from imaging.errors import ImageTooLarge, UnreadableImage

_BOMB = (Image.DecompressionBombError, Image.DecompressionBombWarning)


def frame_count(image: Image.Image) -> int:
    """How many frames the image has (1 for a still); counting may read the whole file."""
    try:
        return int(getattr(image, "n_frames", 1) or 1)
    except DECODE_ERRORS as exc:
        raise UnreadableImage(f"the animation cannot be read: {exc}") from None


def decoded_frames(image: Image.Image) -> Iterator[tuple[Image.Image, int]]:
    """Each frame as it is shown (drawn over the earlier ones where the format says so),
    decoded into RGBA, with how long it is shown in milliseconds."""
    index = 0
    while True:
        try:
            image.seek(index)
        except EOFError:
            return
        except DECODE_ERRORS as exc:
            raise UnreadableImage(f"frame {index} of the animation cannot be read: {exc}") from None
        try:
            frame = image.convert("RGBA")
        except _BOMB as exc:
            raise ImageTooLarge(f"the image is too large: {exc}") from None
        except DECODE_ERRORS as exc:
            raise UnreadableImage(
                f"frame {index} of the animation cannot be decoded: {exc}"
            ) from None
        yield frame, int(image.info.get("duration", 0) or 0)
        index += 1


def loop_count(image: Image.Image) -> int | None:
    """How many times the animation repeats (0: forever); None when it plays once."""
    image.seek(0)
    loop = image.info.get("loop")
    return None if loop is None else int(loop)
