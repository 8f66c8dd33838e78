"""Every encoder's output decoded and checked: its format and content type, its size and
pixels, the alpha rules, quality that buys bytes, and animations."""

from __future__ import annotations

import io

import pytest
from PIL import Image, ImageDraw, ImageSequence

from imaging.encoding import encode, encode_animation
from imaging.formats import (
    ANIMATED,
    CONTENT_TYPES,
    PILLOW_NAMES,
    Format,
    format_of,
    producible,
    producible_formats,
)
from tests.imaging.pictures import BLUE, RED, close, decode, photo_like, similarity

PHOTO = photo_like(320, 240)
FORMATS = sorted(producible_formats())
LOSSY: list[Format] = [f for f in ("jpeg", "webp", "avif", "jpeg2000") if f in FORMATS]
# Mean absolute difference (of 255) each format may move a grainy photo by at quality 90
# (measured: 3.5–5; the same photo mirrored is 35 away). PNG is lossless.
TOLERANCE = {"jpeg": 6.0, "webp": 6.0, "avif": 6.0, "jpeg2000": 6.0, "png": 0.0, "gif": 6.0}


def half_transparent() -> Image.Image:
    """Red on the left, fully transparent blue on the right."""
    image = Image.new("RGBA", (40, 20), (*RED, 255))
    image.paste((*BLUE, 0), (20, 0, 40, 20))
    return image


def test_jpeg_png_and_gif_are_always_producible_and_jpeg_xr_never() -> None:
    assert {"jpeg", "png", "gif"} <= producible_formats() <= set(CONTENT_TYPES)
    assert producible("png") == "png"
    with pytest.raises(ValueError, match="cannot encode 'jpegxr'"):
        producible("jpegxr")


@pytest.mark.parametrize("fmt", FORMATS)
def test_each_format_decodes_as_itself_at_its_size_close_to_the_pixels(fmt: Format) -> None:
    image = decode(encode(PHOTO, fmt, 90))
    assert image.format == PILLOW_NAMES[fmt] and format_of(image.format) == fmt
    assert Image.MIME[image.format] == CONTENT_TYPES[fmt]
    assert image.size == PHOTO.size
    mae, _ = similarity(image.convert("RGB"), PHOTO)
    assert mae <= TOLERANCE[fmt], (fmt, mae)


@pytest.mark.parametrize("fmt", LOSSY)
def test_higher_quality_costs_more_bytes(fmt: Format) -> None:
    sizes = [len(encode(PHOTO, fmt, quality)) for quality in (10, 40, 70, 95)]
    assert sizes == sorted(sizes) and len(set(sizes)) == len(sizes), (fmt, sizes)


@pytest.mark.parametrize("fmt", ["png", "gif"])
def test_lossless_and_palette_formats_ignore_quality(fmt: Format) -> None:
    assert encode(PHOTO, fmt, 10) == encode(PHOTO, fmt, 95)


def _default_deflate(image: Image.Image) -> int:
    out = io.BytesIO()
    image.save(out, "PNG")
    return len(out.getvalue())


def test_png_graphics_are_as_small_as_zlibs_default_makes_them_and_photos_close() -> None:
    graphic = Image.new("RGB", (640, 360), (40, 80, 200))
    draw = ImageDraw.Draw(graphic)
    for x in range(0, 640, 40):
        draw.line([(x, 0), (x, 360)], fill=(255, 255, 255), width=2)
    draw.text((20, 20), "a drawn graphic", fill=(0, 0, 0))
    graphic = graphic.resize((500, 281), Image.Resampling.LANCZOS)  # antialiased edges
    assert len(encode(graphic, "png", 0)) == _default_deflate(graphic)
    assert len(encode(PHOTO, "png", 0)) < 1.15 * _default_deflate(PHOTO)


@pytest.mark.parametrize("quality", [-1, 101])
def test_quality_outside_0_to_100_is_refused(quality: int) -> None:
    with pytest.raises(ValueError, match="quality"):
        encode(PHOTO, "jpeg", quality)


def test_jpeg_flattens_transparency_onto_white_or_the_given_background() -> None:
    white = decode(encode(half_transparent(), "jpeg", 95))
    assert white.mode == "RGB" and close(white.getpixel((30, 10)), (255, 255, 255))
    assert close(white.getpixel((5, 10)), RED)
    green = decode(encode(half_transparent(), "jpeg", 95, background=(0, 255, 0)))
    assert close(green.getpixel((30, 10)), (0, 255, 0))
    translucent = Image.new("LA", (10, 10), (0, 128))  # black at half opacity
    assert close(decode(encode(translucent, "jpeg", 95)).getpixel((5, 5)), (127, 127, 127), 3)


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f != "jpeg"])
def test_formats_with_alpha_keep_transparent_pixels_transparent(fmt: Format) -> None:
    image = decode(encode(half_transparent(), fmt, 95)).convert("RGBA")
    assert image.getpixel((30, 10))[3] == 0  # type: ignore[index]
    assert image.getpixel((5, 10))[3] == 255  # type: ignore[index]
    assert close(image.getpixel((5, 10))[:3], RED, 12)  # type: ignore[index]


@pytest.mark.parametrize("fmt", [f for f in FORMATS if f not in ("jpeg", "gif")])
def test_an_alpha_channel_that_hides_nothing_is_not_written(fmt: Format) -> None:
    opaque = PHOTO.convert("RGBA")
    assert decode(encode(opaque, fmt, 90)).mode == "RGB"


def test_progressive_jpeg_is_progressive_and_shows_the_same_pixels() -> None:
    plain, progressive = (decode(encode(PHOTO, "jpeg", 85, progressive=p)) for p in (False, True))
    assert progressive.info.get("progressive") and not plain.info.get("progressive")
    assert similarity(progressive, plain)[0] < 0.5


@pytest.mark.parametrize("fmt", ["jpeg", "png"])
def test_optimize_spends_cpu_for_fewer_bytes_with_the_same_pixels(fmt: Format) -> None:
    plain, optimized = encode(PHOTO, fmt, 85), encode(PHOTO, fmt, 85, optimize=True)
    assert len(optimized) < len(plain)
    assert similarity(decode(optimized), decode(plain))[0] == 0


def test_any_mode_is_encoded() -> None:
    for mode in ("L", "LA", "P", "CMYK", "I;16", "1"):
        for fmt in FORMATS:
            assert decode(encode(Image.new(mode, (8, 8)), fmt, 80)).size == (8, 8), (mode, fmt)


# --- animations ----------------------------------------------------------------------------

FRAMES = [Image.new("RGB", (30, 20), colour) for colour in (RED, (0, 255, 0), BLUE)]
DURATIONS = [100, 200, 300]


def _frames(body: bytes) -> list[tuple[Image.Image, int]]:
    image = Image.open(io.BytesIO(body))
    return [
        (f.convert("RGB"), int(f.info.get("duration", 0))) for f in ImageSequence.Iterator(image)
    ]


@pytest.mark.parametrize("fmt", sorted(ANIMATED & producible_formats()))
def test_an_animation_keeps_every_frame_and_its_colours(fmt: Format) -> None:
    frames = _frames(encode_animation(FRAMES, DURATIONS, 0, fmt, 90))
    assert len(frames) == 3 and all(f.size == (30, 20) for f, _ in frames)
    for (frame, _), source in zip(frames, FRAMES, strict=True):
        assert close(frame.getpixel((15, 10)), source.getpixel((15, 10)), 12)  # type: ignore[arg-type]
    if fmt in ("gif", "webp"):
        assert [d for _, d in frames] == DURATIONS


@pytest.mark.parametrize(("fmt", "written"), [("gif", None), ("webp", 1)])
def test_an_animation_that_plays_once_says_so_in_its_formats_terms(
    fmt: Format, written: int | None
) -> None:
    once = Image.open(io.BytesIO(encode_animation(FRAMES, DURATIONS, None, fmt, 90)))
    assert once.info.get("loop") == written
    forever = Image.open(io.BytesIO(encode_animation(FRAMES, DURATIONS, 0, fmt, 90)))
    assert forever.info.get("loop") == 0


def test_only_formats_that_carry_animation_are_animated() -> None:
    with pytest.raises(ValueError, match="animation"):
        encode_animation(FRAMES, DURATIONS, 0, "png", 90)
