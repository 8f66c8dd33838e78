"""The speed levers (JPEG DCT-scaled decoding at 1/8, 1/4, 3/8 or 1/2, reduce() before the last
resample, BICUBIC or BILINEAR for mild last steps) leave the picture equivalent to a plain
full-decode LANCZOS render.

Equivalent means: mean absolute difference below 1.5 of 255 and PSNR above 40 dB over all
channels, compared losslessly (PNG output). Why these numbers: encoding that same reference
as JPEG q85 — what every default variant goes through next — changes it by about 3 of 255
(PSNR ~35 dB; checked below), so the optimised path moves pixels less than half as much as
the encoding that follows it. A visibly worse resize (NEAREST) fails the same thresholds.
"""

from __future__ import annotations

import io
from functools import cache

import pytest
from PIL import Image, ImageOps

from imaging.decoding import decode as decode_scaled
from origin.imaging import geometry
from origin.imaging.pipeline import render_variant
from origin.imaging.spec import RenderSpec
from tests.imaging.pictures import decode, encode, photo_like, similarity

MAX_MEAN_ABS_DIFF = 1.5
MIN_PSNR_DB = 40.0
LANCZOS = Image.Resampling.LANCZOS


@cache
def source(width: int, height: int, fmt: str = "JPEG") -> bytes:
    params = {"quality": 90} if fmt == "JPEG" else {"compress_level": 1}
    return encode(photo_like(width, height), fmt, **params)


def plain_render(data: bytes, spec: RenderSpec) -> Image.Image:
    """The reference: decode every pixel, one LANCZOS resample, no shortcuts."""
    image = Image.open(io.BytesIO(data))
    image.load()
    image = ImageOps.exif_transpose(image).convert("RGB")
    image = image.crop(geometry.crop_pixels(spec.crop, image.size))
    box = geometry.output_box(spec.width, spec.height, image.size)
    if spec.mode == "crop":
        return image.resize(box, LANCZOS, box=geometry.fill_region(image.size, box, spec.gravity))
    fitted = image.resize(geometry.fit_size(image.size, box), LANCZOS)
    canvas = Image.new("RGBA", box, (0, 0, 0, 0))
    canvas.paste(fitted, geometry.pad_offset(fitted.size, box, spec.gravity))
    return canvas


CASES = [
    ("1920x1080 jpeg → 600 wide", (1920, 1080, "JPEG"), RenderSpec(600, None)),
    ("1920x1080 jpeg → 320 wide", (1920, 1080, "JPEG"), RenderSpec(320, None)),
    ("1920x1080 jpeg → crop 600×900", (1920, 1080, "JPEG"), RenderSpec(600, 900)),
    (
        "1920x1080 jpeg → includeAll 600×900",
        (1920, 1080, "JPEG"),
        RenderSpec(600, 900, "includeAll"),
    ),
    (
        "1920x1080 jpeg → rect, north 300×300",
        (1920, 1080, "JPEG"),
        RenderSpec(300, 300, gravity="north", crop=(0.1, 0.2, 0.6, 0.9)),
    ),
    ("1920x1080 jpeg → 160 wide", (1920, 1080, "JPEG"), RenderSpec(160, None)),
    # 3/8 DCT scale, then BICUBIC shrinking 1.8×
    ("1920x1080 jpeg → 400 wide", (1920, 1080, "JPEG"), RenderSpec(400, None)),
    # full decode, then BILINEAR shrinking 1.37×
    ("1920x1080 jpeg → 1400 wide", (1920, 1080, "JPEG"), RenderSpec(1400, None)),
    ("1600x1200 png → 200 wide", (1600, 1200, "PNG"), RenderSpec(200, None)),
    ("1600x1200 png → 1100 wide", (1600, 1200, "PNG"), RenderSpec(1100, None)),
    # 1/4 DCT scale, then BICUBIC shrinking 1.67×
    ("4000x3000 jpeg → 600 wide", (4000, 3000, "JPEG"), RenderSpec(600, None)),
    # 3/8 DCT scale, then BICUBIC shrinking 1.25×
    ("4000x3000 jpeg → 1200 wide", (4000, 3000, "JPEG"), RenderSpec(1200, None)),
]


@pytest.mark.parametrize(("name", "src", "spec"), CASES, ids=[case[0] for case in CASES])
def test_optimised_render_is_equivalent_to_a_plain_lanczos_render(
    name: str, src: tuple[int, int, str], spec: RenderSpec
) -> None:
    data = source(*src)
    reference = plain_render(data, spec)
    rendered = decode(render_variant(data, RenderSpec(**{**spec.__dict__, "format": "png"})).body)
    mae, psnr = similarity(rendered.convert(reference.mode), reference)
    print(f"{name}: mean abs diff {mae:.2f}, PSNR {psnr:.1f} dB")
    assert mae < MAX_MEAN_ABS_DIFF and psnr > MIN_PSNR_DB, (mae, psnr)


def test_the_thresholds_are_tighter_than_jpeg_q85_and_reject_a_nearest_resize() -> None:
    data = source(1920, 1080)
    reference = plain_render(data, RenderSpec(600, None))
    as_jpeg = decode(encode(reference, "JPEG", quality=85))
    mae, psnr = similarity(as_jpeg, reference)
    assert mae > MAX_MEAN_ABS_DIFF and psnr < MIN_PSNR_DB, (mae, psnr)
    full = decode(data)
    nearest = full.resize(reference.size, Image.Resampling.NEAREST)
    mae, psnr = similarity(nearest, reference)
    assert mae > MAX_MEAN_ABS_DIFF or psnr < MIN_PSNR_DB, (mae, psnr)


@pytest.mark.parametrize(
    ("needed", "decoded"),
    [
        (1.0, (1920, 1080)),
        (0.6, (1920, 1080)),
        (0.33, (960, 540)),  # 3/8 would leave the resample less than 1.15× the output
        (0.3125, (720, 405)),  # 1920 → 600 wide: libjpeg's 3×3 IDCT
        (0.2, (720, 405)),  # 1/4 would leave less than 1.5×
        (0.16, (480, 270)),
        (0.05, (240, 135)),
    ],
)
def test_jpeg_decoding_skips_resolution_the_output_does_not_need(
    needed: float, decoded: tuple[int, int]
) -> None:
    image = decode_scaled(source(1920, 1080), 10**8, needed=needed)
    assert image.size == decoded
    assert image.mode == "RGB"


def test_a_jpeg_decoded_at_three_eighths_matches_the_full_image_scaled_down() -> None:
    data = source(1920, 1080)
    scaled = decode_scaled(data, 10**8, needed=0.3125)
    reference = decode(data).resize(scaled.size, LANCZOS)
    mae, psnr = similarity(scaled, reference)
    assert mae < MAX_MEAN_ABS_DIFF and psnr > MIN_PSNR_DB, (mae, psnr)


def test_non_jpeg_sources_are_decoded_at_full_size() -> None:
    image = decode_scaled(source(1600, 1200, "PNG"), 10**8, needed=0.1)
    assert image.size == (1600, 1200)
