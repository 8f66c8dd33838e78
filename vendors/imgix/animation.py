"""Animated sources (GIF, animated WebP, APNG…): which renders keep the animation, the
bounds on how much work one may be, and the frames in and out.

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

import io
from collections.abc import Iterator
from dataclasses import dataclass

from PIL import Image, ImageSequence

MAX_FRAMES = 900
MAX_FRAME_PIXELS = 50_000_000  # as many as one still image may have (render.MAX_PIXELS)
ANIMATED_FORMATS = frozenset({"gif", "webp", "avif"})
_PILLOW_NAMES = {"gif": "GIF", "webp": "WEBP", "avif": "AVIF"}


class AnimationTooLarge(ValueError):
    """An animation beyond the frame or frames × pixels bound."""

    status = 422


def frame_count(image: Image.Image) -> int:
    return int(getattr(image, "n_frames", 1))


def keeps_animation(image: Image.Image, fmt: str) -> bool:
    """Whether a render of ``image`` into ``fmt`` keeps every frame."""
    return fmt in ANIMATED_FORMATS and frame_count(image) > 1


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


@dataclass(frozen=True)
class Timing:
    durations: list[int]
    loop: int | None  # None: play once (no loop count in the source)


def frames(image: Image.Image) -> Iterator[tuple[Image.Image, int]]:
    """Each frame, composited as it is shown, in RGBA, with its duration in milliseconds."""
    for frame in ImageSequence.Iterator(image):
        yield frame.convert("RGBA"), int(frame.info.get("duration", 0) or 0)


def loop_of(image: Image.Image) -> int | None:
    image.seek(0)
    loop = image.info.get("loop")
    return None if loop is None else int(loop)


def encode(images: list[Image.Image], timing: Timing, fmt: str, quality: int) -> bytes:
    """An animated ``fmt`` file of ``images`` with their durations and loop count."""
    out = io.BytesIO()
    options: dict[str, object] = {
        "save_all": True,
        "append_images": images[1:],
        "duration": timing.durations,
    }
    if fmt == "gif":
        options["disposal"] = 2  # each frame is complete: clear before drawing the next
        if timing.loop is not None:
            options["loop"] = timing.loop
    else:
        options["quality"] = quality
        # WebP and AVIF count plays differently: 0 is forever, 1 is once.
        options["loop"] = 1 if timing.loop is None else timing.loop
    images[0].save(out, _PILLOW_NAMES[fmt], **options)
    return out.getvalue()
