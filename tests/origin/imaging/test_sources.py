"""What goes in and out: every output format, source modes and EXIF orientation, and the
refusal of unreadable, oversized and out-of-contract input."""

from __future__ import annotations

import struct
import zlib

import pytest
from PIL import Image

from imaging.errors import ImageTooLarge, UnreadableImage
from imaging.formats import CONTENT_TYPES
from origin.imaging.errors import InvalidRenderSpec
from origin.imaging.pipeline import available_formats, render_variant
from origin.imaging.spec import RenderSpec
from tests.imaging.pictures import (
    BLUE,
    RED,
    close,
    decode,
    encode,
    photo_like,
    quadrants,
    solid,
)

PILLOW_FORMAT = {"jpeg": "JPEG", "png": "PNG", "webp": "WEBP", "avif": "AVIF"}
PHOTO_JPEG = encode(photo_like(640, 480), "JPEG", quality=90)


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that declares its size but carries no pixel data at all."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    chunk = b"IHDR" + ihdr
    return (
        b"\x89PNG\r\n\x1a\n"
        + struct.pack(">I", len(ihdr))
        + chunk
        + struct.pack(">I", zlib.crc32(chunk))
        + struct.pack(">I", 0)
        + b"IEND"
        + struct.pack(">I", zlib.crc32(b"IEND"))
    )


def test_jpeg_and_png_are_always_available() -> None:
    assert {"jpeg", "png"} <= set(available_formats()) <= set(CONTENT_TYPES)


@pytest.mark.parametrize("fmt", available_formats())
def test_each_format_decodes_as_what_its_content_type_claims(fmt: str) -> None:
    rendered = render_variant(PHOTO_JPEG, RenderSpec(320, None, format=fmt))  # type: ignore[arg-type]
    image = decode(rendered.body)
    assert rendered.content_type == CONTENT_TYPES[fmt] == f"image/{fmt}"
    assert image.format == PILLOW_FORMAT[fmt]
    assert image.size == (rendered.width, rendered.height) == (320, 240)
    assert rendered.cpu_seconds > 0


@pytest.mark.parametrize("fmt", [f for f in available_formats() if f != "jpeg"])
def test_formats_with_alpha_keep_transparent_corners(fmt: str) -> None:
    spec = RenderSpec(200, 100, rounded_corners=20, format=fmt)  # type: ignore[arg-type]
    image = decode(render_variant(PHOTO_JPEG, spec).body).convert("RGBA")
    assert image.getchannel("A").getpixel((0, 0)) == 0
    assert image.getchannel("A").getpixel((100, 50)) == 255


def test_jpeg_output_of_transparent_padding_is_white() -> None:
    spec = RenderSpec(100, 100, mode="includeAll", format="jpeg")
    image = decode(render_variant(encode(solid(200, 50, BLUE)), spec).body)
    assert image.mode == "RGB"
    assert close(image.getpixel((50, 5)), (255, 255, 255)) and close(image.getpixel((50, 50)), BLUE)


def test_exif_orientation_is_applied_before_the_box() -> None:
    # Stored 200×100, red left and blue right; orientation 6 = show rotated 90° clockwise,
    # so the picture is 100×200 with red on top.
    exif = Image.Exif()
    exif[0x0112] = 6
    source = encode(
        quadrants(200, 100).transpose(Image.Transpose.FLIP_TOP_BOTTOM).convert("RGB"), "JPEG"
    )
    stored = Image.new("RGB", (200, 100), BLUE)
    stored.paste(solid(100, 100, RED), (0, 0))
    source = encode(stored, "JPEG", quality=95, exif=exif.tobytes())
    rendered = render_variant(source, RenderSpec(50, None, format="png"))
    image = decode(rendered.body)
    assert image.size == (50, 100)
    assert close(image.getpixel((25, 20))[:3], RED, 20) and close(
        image.getpixel((25, 80))[:3], BLUE, 20
    )


def test_palette_source_keeps_its_transparency() -> None:
    palette = Image.new("P", (100, 100), 0)
    palette.putpalette([0, 0, 0, *RED] + [0] * 762)
    palette.paste(1, (50, 0, 100, 100))
    source = encode(palette, "GIF", transparency=0)
    image = decode(render_variant(source, RenderSpec(100, 100, format="png")).body).convert("RGBA")
    assert image.getpixel((20, 50))[3] == 0
    assert image.getpixel((80, 50)) == (*RED, 255)


def test_cmyk_source_renders_in_rgb_with_its_colours() -> None:
    source = encode(Image.new("CMYK", (80, 80), (0, 255, 255, 0)), "JPEG", quality=95)
    image = decode(render_variant(source, RenderSpec(40, 40, format="png")).body)
    assert image.mode == "RGB" and close(image.getpixel((20, 20)), RED, 24)


def test_grey_with_alpha_source_keeps_its_alpha() -> None:
    la = Image.new("LA", (60, 60), (128, 255))
    la.paste((128, 0), (0, 0, 60, 30))
    image = decode(render_variant(encode(la), RenderSpec(60, 60, format="png")).body).convert(
        "RGBA"
    )
    assert image.getpixel((30, 10))[3] == 0
    assert close(image.getpixel((30, 50)), (128, 128, 128, 255), 2)


def test_sixteen_bit_grey_is_scaled_to_eight_bits_not_clipped() -> None:
    deep = Image.new("I;16", (64, 64), 16384)
    deep.paste(65535, (0, 0, 32, 64))
    image = decode(render_variant(encode(deep), RenderSpec(64, 64, format="png")).body)
    assert close(image.getpixel((10, 32)), (255, 255, 255), 1)
    assert close(image.getpixel((54, 32)), (64, 64, 64), 1)


@pytest.mark.parametrize(
    "source",
    [
        b"",
        b"not an image at all",
        PHOTO_JPEG[: len(PHOTO_JPEG) * 6 // 10],
        b"\x89PNG\r\n\x1a\n" + b"\0" * 40,
    ],
    ids=["empty", "text", "truncated-jpeg", "broken-png-signature"],
)
def test_unreadable_sources_raise_unreadable_image(source: bytes) -> None:
    with pytest.raises(UnreadableImage):
        render_variant(source, RenderSpec(100, None))


def test_corrupt_or_cut_png_data_raises_unreadable_image() -> None:
    good = encode(photo_like(200, 200))
    data = good.index(b"IDAT") + 4
    bad_stream = good[:data] + b"\xff\xff" + good[data + 2 :]  # not a zlib stream header
    for source in (bad_stream, good[: len(good) // 2]):
        with pytest.raises(UnreadableImage):
            render_variant(source, RenderSpec(100, None))


def test_a_source_over_the_pixel_limit_is_refused_and_one_at_it_is_rendered() -> None:
    source = encode(quadrants(100, 100))
    with pytest.raises(ImageTooLarge, match="10000 pixels"):
        render_variant(source, RenderSpec(10, 10, max_source_pixels=9_999))
    assert render_variant(source, RenderSpec(10, 10, max_source_pixels=10_000)).width == 10


def test_the_pixel_limit_is_checked_from_the_header_before_decoding() -> None:
    # No pixel data at all: decoding would fail as unreadable; the size check answers first.
    header_only = png_header_only(2000, 1000)
    with pytest.raises(ImageTooLarge):
        render_variant(header_only, RenderSpec(10, 10, max_source_pixels=1_000_000))
    with pytest.raises(UnreadableImage) as within_limit:
        render_variant(header_only, RenderSpec(10, 10, max_source_pixels=3_000_000))
    assert not isinstance(within_limit.value, ImageTooLarge)


def test_a_decompression_bomb_is_refused_as_too_large_by_default() -> None:
    with pytest.raises(ImageTooLarge):
        render_variant(png_header_only(20_000, 20_000), RenderSpec(10, 10))


@pytest.mark.parametrize(
    "spec",
    [
        RenderSpec(0, 10),
        RenderSpec(10, -1),
        RenderSpec(10, 10, gravity="up"),
        RenderSpec(10, 10, mode="stretch"),  # type: ignore[arg-type]
        RenderSpec(10, 10, format="gif"),  # type: ignore[arg-type]
        RenderSpec(10, 10, quality=0),
        RenderSpec(10, 10, rounded_corners=-2),
    ],
)
def test_out_of_contract_specs_are_refused(spec: RenderSpec) -> None:
    with pytest.raises(InvalidRenderSpec):
        render_variant(PHOTO_JPEG, spec)


def test_an_output_side_derived_from_an_extreme_aspect_is_refused() -> None:
    # 2×4000: a 4096-wide output would be 8 million pixels tall.
    with pytest.raises(InvalidRenderSpec, match="output would be"):
        render_variant(encode(solid(2, 4000)), RenderSpec(4096, None))


def test_an_output_over_the_pixel_limit_is_refused() -> None:
    with pytest.raises(InvalidRenderSpec, match="output would be"):
        render_variant(PHOTO_JPEG, RenderSpec(2000, 2000, max_output_pixels=1_000_000))
    assert (
        render_variant(PHOTO_JPEG, RenderSpec(1000, 1000, max_output_pixels=1_000_000)).width
        == 1000
    )


def test_an_animated_source_renders_its_first_frame() -> None:
    frames = [solid(60, 40, RED), solid(60, 40, BLUE)]
    source = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    image = decode(render_variant(source, RenderSpec(30, None, format="png")).body)
    assert image.size == (30, 20) and close(image.getpixel((15, 10))[:3], RED)
