"""Animated sources (GIF, animated WebP, APNG…): which renders keep the animation and the
bounds on how much work one may be. Reading and writing the frames is the imaging core's
(:mod:`imaging.frames`, :func:`imaging.encoding.encode_animation`).

imgix keeps animation when the output format can carry it and applies every parameter to
every frame. Here: output ``gif``, ``webp`` and ``avif`` (whether from ``fm`` or, with no
``fm``, the source's own format) keep every frame, with each frame's duration and the
loop count; ``jpg``, ``pjpg`` and ``png`` take the first frame, as imgix does for formats
without animation. A cropping fit decides its window once, on the first frame, and cuts
every frame there, so the subject does not jump between frames.

Bounds: imgix refuses GIFs of more than 900 frames (:data:`MAX_FRAMES`); on top of that
the frames × pixels of the source, and of the output, may not exceed
:data:`MAX_FRAME_PIXELS` (50 M, what one still image may have), so one request costs at most
that much decoding and resizing and holds at most that many output pixels (200 MB as RGBA;
about 2 s of CPU here). Over a bound the render is refused with
:class:`AnimationTooLarge` (the renderer answers 422 with the reason), never cut short
silently: a truncated animation would be cached as if it were the image.
"""

from __future__ import annotations

from PIL import Image

from imaging.formats import ANIMATED, Format
from imaging.frames import frame_count

MAX_FRAMES = 900
MAX_FRAME_PIXELS = 50_000_000  # as many as one still image may have (pipeline.MAX_PIXELS)


class AnimationTooLarge(ValueError):
    """An animation beyond the frame or frames × pixels bound."""

    status = 422


def keeps_animation(image: Image.Image, fmt: Format) -> bool:
    """Whether a render of ``image`` into ``fmt`` keeps every frame."""
    return fmt in ANIMATED and frame_count(image) > 1


def check_source(
    image: Image.Image, max_frames: int = MAX_FRAMES, max_frame_pixels: int = MAX_FRAME_PIXELS
) -> None:
    """Refuse an animation whose frames, or frames × pixels, are over the bounds."""
    frames = frame_count(image)
    if frames > max_frames:
        raise AnimationTooLarge(f"{frames} frames: animations may have at most {max_frames}")
    check_output(frames, image.size, max_frame_pixels)


def check_output(
    frames: int, size: tuple[int, int], max_frame_pixels: int = MAX_FRAME_PIXELS
) -> None:
    """Refuse ``frames`` frames of ``size`` when their pixels add up to more than the bound."""
    if frames * size[0] * size[1] > max_frame_pixels:
        raise AnimationTooLarge(
            f"{frames} frames of {size[0]}x{size[1]} is more than {max_frame_pixels} frame pixels"
        )
