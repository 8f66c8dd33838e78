"""``render_variant``: one original and one :class:`RenderSpec` in, one encoded variant out.

A pure function (no I/O, no shared state) so that it runs unchanged in the render pool's
worker processes. The steps, in order: header check → draft decode → crop rect → box
(fill or fit-and-pad) → rounded corners → encode.
"""

from __future__ import annotations

import time
from typing import assert_never

from PIL import Image

from origin.imaging import geometry, loading, ops
from origin.imaging.errors import InvalidRenderSpec
from origin.imaging.ops import available_formats
from origin.imaging.spec import CONTENT_TYPES, Rendered, RenderSpec

__all__ = ["available_formats", "check_spec", "render_variant"]

# JPEG draft decoding keeps at least this many source pixels per output pixel (each way),
# so the LANCZOS pass that follows still has real detail to filter; see the equivalence test.
DRAFT_GAP = 1.5


def check_spec(spec: RenderSpec) -> None:
    """Refuse a spec the pipeline cannot honour (the serving layer validates first)."""
    for name, value in (("width", spec.width), ("height", spec.height)):
        if value is not None and value < 1:
            raise InvalidRenderSpec(f"{name} must be at least 1, got {value}")
    if spec.mode not in ("crop", "includeAll"):
        raise InvalidRenderSpec(f"unknown resize mode {spec.mode!r}")
    if spec.gravity not in geometry.GRAVITY_ANCHORS:
        raise InvalidRenderSpec(f"unknown gravity {spec.gravity!r}")
    if spec.format not in available_formats():
        raise InvalidRenderSpec(f"format {spec.format!r} is not available: {available_formats()}")
    if not 1 <= spec.quality <= 100:
        raise InvalidRenderSpec(f"quality must be 1–100, got {spec.quality}")
    if spec.rounded_corners < 0:
        raise InvalidRenderSpec(f"rounded corners must be ≥ 0, got {spec.rounded_corners}")


def render_variant(source: bytes, spec: RenderSpec) -> Rendered:
    """Render one variant of an original.

    Raises ``SourceUnreadable`` (or its subclass ``SourceTooLarge``, decided from the header
    before decoding) and ``InvalidRenderSpec``. ``cpu_seconds`` is the process CPU time spent."""
    started = time.process_time()
    check_spec(spec)
    image = loading.open_source(source, spec.max_source_pixels)
    image = _decode_for(image, spec)
    image = ops.crop_relative(image, spec.crop)
    box = geometry.output_box(spec.width, spec.height, image.size)
    image = _apply_box(image, box, spec)
    if spec.rounded_corners > 0:
        image = ops.round_corners(image, spec.rounded_corners)
    body = ops.encode(image, spec.format, spec.quality)
    return Rendered(
        body=body,
        content_type=CONTENT_TYPES[spec.format],
        width=image.width,
        height=image.height,
        cpu_seconds=time.process_time() - started,
    )


def _decode_for(image: Image.Image, spec: RenderSpec) -> Image.Image:
    """Decode no more resolution than the output needs (times ``DRAFT_GAP``)."""
    oriented = loading.oriented_size(image)
    x0, y0, x1, y1 = geometry.crop_pixels(spec.crop, oriented)
    cropped = (x1 - x0, y1 - y0)
    box = geometry.output_box(spec.width, spec.height, cropped)
    scale = geometry.needed_scale(cropped, box, spec.mode)
    return loading.decode(image, scale * DRAFT_GAP)


def _apply_box(image: Image.Image, box: geometry.Size, spec: RenderSpec) -> Image.Image:
    match spec.mode:
        case "crop":
            return ops.fill_box(image, box, spec.gravity)
        case "includeAll":
            return ops.fit_and_pad(image, box, spec.gravity)
        case _:
            assert_never(spec.mode)
