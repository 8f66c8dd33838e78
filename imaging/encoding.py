"""Pixels out as bytes, one set of rules for every service and format.

- ``quality`` is 0–100 and means what it means for JPEG: higher is closer to the pixels
  and more bytes. JPEG, WebP and AVIF take it as it is; JPEG 2000 turns it into a
  compression ratio (100 → 2:1, 85 → 16:1, 1 → 100:1); PNG and GIF ignore it (lossless,
  palette).
- Transparency: JPEG has none, so alpha is composited onto ``background`` (white unless
  the caller's service says otherwise). GIF keeps fully transparent pixels transparent.
  The other formats keep alpha, and drop an alpha channel that hides nothing.
- ``optimize``: spend CPU for fewer bytes with the same pixels (JPEG Huffman tables, PNG
  at zlib's best), for services that are asked to compress.
- Speed settings chosen by measurement: PNG photos with zlib's run-length strategy (within
  ~10% of the default's size, about four times faster), PNG graphics with its default
  (:data:`PNG_GRAPHIC_COLOURS`); WebP at libwebp's default effort (animations at the
  lowest); AVIF at speed 8.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from typing import Any

from PIL import Image

from imaging.formats import ANIMATED, PILLOW_NAMES, Format, producible_formats
from imaging.modes import WHITE, flatten, without_opaque_alpha

PNG_COMPRESS_LEVEL = 6
PNG_COMPRESS_TYPE = 3  # zlib Z_RLE
# zlib's run-length strategy only matches runs, so on drawn graphics (logos, text, flat
# fields and their antialiased edges) it writes files up to three times the size the
# default strategy writes in about the same time; on photos it is the fast one. An image of
# at most this many colours is a graphic (getcolors() gives up on a photo within ~0.3 ms).
PNG_GRAPHIC_COLOURS = 4096
# libwebp effort 0 (fast) … 6 (slow); 4 is libwebp's default. An animation (up to
# hundreds of frames) at 0, Pillow's own default there: 4 costs about 40% more CPU.
WEBP_METHOD = 4
WEBP_ANIMATION_METHOD = 0
# libavif 0 (slowest, smallest) … 10; 8 is about 3.5× faster than Pillow's 6, 10–20% larger.
AVIF_SPEED = 8


def encode(
    image: Image.Image,
    fmt: Format,
    quality: int,
    *,
    progressive: bool = False,
    optimize: bool = False,
    background: tuple[int, int, int] = WHITE,
) -> bytes:
    """``image`` (any mode) as a ``fmt`` file; ``progressive`` applies to JPEG only."""
    _check(fmt, quality)
    out = io.BytesIO()
    if fmt == "jpeg":
        flatten(image, background).save(
            out, "JPEG", quality=quality, progressive=progressive, optimize=optimize
        )
    elif fmt == "gif":
        _gif_ready(image).save(out, "GIF")
    else:
        ready = without_opaque_alpha(image)
        ready.save(out, PILLOW_NAMES[fmt], **_options(ready, fmt, quality, optimize))
    return out.getvalue()


def encode_animation(
    frames: Sequence[Image.Image],
    durations: Sequence[int],
    loop: int | None,
    fmt: Format,
    quality: int,
) -> bytes:
    """An animated ``fmt`` (GIF, WebP or AVIF) of ``frames`` shown for ``durations``
    milliseconds each; ``loop``: how many times to repeat (0 forever, None: play once)."""
    _check(fmt, quality)
    if fmt not in ANIMATED:
        raise ValueError(f"{fmt!r} cannot carry an animation")
    options: dict[str, Any] = {"save_all": True, "duration": list(durations)}
    if fmt == "gif":
        ready = [_gif_ready(frame) for frame in frames]
        options["disposal"] = 2  # each frame is complete: clear before drawing the next
        if loop is not None:
            options["loop"] = loop
    else:
        ready = [frame.convert("RGBA") if frame.mode != "RGBA" else frame for frame in frames]
        options.update(_options(ready[0], fmt, quality, optimize=False))
        if fmt == "webp":
            options["method"] = WEBP_ANIMATION_METHOD
        # WebP and AVIF count plays differently: 0 is forever, 1 is once.
        options["loop"] = 1 if loop is None else loop
    out = io.BytesIO()
    ready[0].save(out, PILLOW_NAMES[fmt], append_images=ready[1:], **options)
    return out.getvalue()


def _check(fmt: Format, quality: int) -> None:
    if fmt not in producible_formats():
        raise ValueError(f"cannot encode {fmt!r}; this build writes {sorted(producible_formats())}")
    if not 0 <= quality <= 100:
        raise ValueError(f"quality must be 0–100, got {quality}")


def _gif_ready(image: Image.Image) -> Image.Image:
    # Pillow quantises RGBA with its fast octree (several times faster than the median cut
    # it uses for RGB) and makes a fully transparent colour the GIF's transparent index.
    return image if image.mode == "RGBA" else image.convert("RGBA")


def _options(image: Image.Image, fmt: Format, quality: int, optimize: bool) -> dict[str, Any]:
    if fmt == "png":
        if optimize:
            return {"optimize": True}
        if image.getcolors(PNG_GRAPHIC_COLOURS) is not None:
            return {"compress_level": PNG_COMPRESS_LEVEL}
        return {"compress_level": PNG_COMPRESS_LEVEL, "compress_type": PNG_COMPRESS_TYPE}
    if fmt == "webp":
        return {"quality": quality, "method": WEBP_METHOD}
    if fmt == "avif":
        return {"quality": quality, "speed": AVIF_SPEED}
    if fmt == "jpeg2000":
        # A compression-ratio layer: quality 100 → 2:1, 85 → 16:1, 1 → 100:1.
        ratio = max(2.0, float(101 - quality))
        return {"quality_mode": "rates", "quality_layers": [ratio], "irreversible": True}
    raise ValueError(f"no encoder options for {fmt!r}")
