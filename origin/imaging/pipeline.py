"""``render_variant``: one original and one :class:`RenderSpec` in, one encoded variant out.

A pure function (no I/O, no shared state) so that it runs unchanged in the render pool's
worker processes. The steps, in order: header check → DCT-scaled decode → crop rect → box
(fill or fit-and-pad) → rounded corners → encode. Decoding and encoding are the shared
imaging core's (:mod:`imaging`); the operations between them are the origin's own.
"""

from __future__ import annotations

import time
from functools import cache
from typing import assert_never

from PIL import Image

from imaging.decoding import load_pixels, open_image, oriented_size, upright
from imaging.encoding import encode
from imaging.formats import producible_formats
from imaging.rendered import Rendered
from origin.imaging import geometry, ops
from origin.imaging.errors import InvalidRenderSpec
from origin.imaging.spec import OFFERED_FORMATS, Format, RenderSpec

__all__ = ["available_formats", "check_box", "check_spec", "render_variant"]

# WebP's limit, the smallest of the output formats (JPEG: 65 535).
MAX_OUTPUT_SIDE = 16_383


@cache
def available_formats() -> tuple[Format, ...]:
    """The output formats the API offers that this Pillow build can encode, in offer order."""
    producible = producible_formats()
    return tuple(fmt for fmt in OFFERED_FORMATS if fmt in producible)


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


def check_box(box: geometry.Size, spec: RenderSpec) -> None:
    """Refuse an output no format can hold or over ``spec.max_output_pixels``."""
    width, height = box
    if max(width, height) > MAX_OUTPUT_SIDE or width * height > spec.max_output_pixels:
        raise InvalidRenderSpec(
            f"the output would be {width}×{height}: over {MAX_OUTPUT_SIDE} px a side "
            f"or {spec.max_output_pixels} pixels"
        )


def render_variant(source: bytes, spec: RenderSpec) -> Rendered:
    """Render one variant of an original.

    Raises ``imaging.errors.UnreadableImage`` (or its subclass ``ImageTooLarge``, decided
    from the header before decoding) and ``InvalidRenderSpec``. ``cpu_seconds`` is the
    process CPU time spent."""
    started = time.process_time()
    check_spec(spec)
    image = open_image(source, spec.max_source_pixels)
    # The box comes from the header's size: a draft-decoded image rounds its size up, which
    # would shift a derived side by a pixel.
    oriented = oriented_size(image)
    cropped = _cropped_size(oriented, spec)
    box = geometry.output_box(spec.width, spec.height, cropped)
    check_box(box, spec)
    # Only the first frame of an animation is rendered.
    image = upright(load_pixels(image, geometry.needed_scale(cropped, box, spec.mode)))
    full_resolution = image.size == oriented
    image = ops.crop_relative(image, spec.crop)
    image = _apply_box(image, box, cropped, spec, full_resolution)
    if spec.rounded_corners > 0:
        image = ops.round_corners(image, spec.rounded_corners)
    body = encode(image, spec.format, spec.quality)
    return Rendered(
        body=body,
        format=spec.format,
        width=image.width,
        height=image.height,
        cpu_seconds=time.process_time() - started,
    )


def _cropped_size(size: geometry.Size, spec: RenderSpec) -> geometry.Size:
    x0, y0, x1, y1 = geometry.crop_pixels(spec.crop, size)
    return x1 - x0, y1 - y0


def _apply_box(
    image: Image.Image,
    box: geometry.Size,
    cropped: geometry.Size,
    spec: RenderSpec,
    full_resolution: bool,
) -> Image.Image:
    match spec.mode:
        case "crop":
            return ops.fill_box(image, box, spec.gravity, full_resolution)
        case "includeAll":
            return ops.fit_and_pad(
                image, box, spec.gravity, aspect_of=cropped, full_resolution=full_resolution
            )
        case _:
            assert_never(spec.mode)
