"""Animations read frame by frame (GIF, animated WebP and AVIF, APNG): how many frames,
each one decoded as it is shown, and how often the whole plays. Written back by
:func:`imaging.encoding.encode_animation`."""

from __future__ import annotations

from collections.abc import Iterator

from PIL import Image

from imaging.errors import refusing


def frame_count(image: Image.Image) -> int:
    """How many frames the image has (1 for a still); counting may read the whole file."""
    with refusing("the animation cannot be read"):
        return int(getattr(image, "n_frames", 1) or 1)


def decoded_frames(image: Image.Image) -> Iterator[tuple[Image.Image, int]]:
    """Each frame as it is shown (drawn over the earlier ones where the format says so),
    decoded into RGBA, with how long it is shown in milliseconds."""
    index = 0
    while _seek(image, index):
        with refusing(f"frame {index} of the animation cannot be decoded"):
            frame = image.convert("RGBA")
        yield frame, int(image.info.get("duration", 0) or 0)
        index += 1


def _seek(image: Image.Image, index: int) -> bool:
    """Move to frame ``index``; False past the last one."""
    with refusing(f"frame {index} of the animation cannot be read"):
        try:
            image.seek(index)
        except EOFError:  # how Pillow says there is no such frame
            return False
    return True


def loop_count(image: Image.Image) -> int | None:
    """How many times the animation repeats (0: forever); None when it plays once."""
    image.seek(0)
    loop = image.info.get("loop")
    return None if loop is None else int(loop)
