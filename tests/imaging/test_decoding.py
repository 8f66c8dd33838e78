"""Bytes in, pixels out: bombs refused from the header, damaged and foreign bytes refused as
unreadable (and nothing else escaping), EXIF orientation, working modes."""

from __future__ import annotations

import io
import random
import struct
import zlib

import pytest
from PIL import Image

from imaging.decoding import (
    decode,
    load_pixels,
    open_image,
    oriented_size,
    pixel_limit,
    upright,
)
from imaging.errors import ImageTooLarge, NotAnImage, UnreadableImage
from imaging.formats import PILLOW_NAMES, producible_formats
from imaging.frames import decoded_frames
from imaging.modes import to_working_mode
from tests.imaging.pictures import BLUE, GREEN, RED, YELLOW, close, encode, quadrants

PILLOW_LIMIT = Image.MAX_IMAGE_PIXELS or 0


def png_declaring(width: int, height: int, pixels: bytes = b"") -> bytes:
    """A PNG whose header declares ``width``×``height`` (RGB) and whose IDAT holds ``pixels``."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(pixels))
        + chunk(b"IEND", b"")
    )


def one_bit_bomb(side: int) -> bytes:
    """A 1-bit PNG of ``side``² pixels, all zero: a few kilobytes that decode to side² bytes."""
    row = b"\0" + b"\0" * ((side + 7) // 8)
    data = zlib.compress(row * side, 9)

    def chunk(kind: bytes, body: bytes) -> bytes:
        return (
            struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))
        )

    header = struct.pack(">IIBBBBB", side, side, 1, 0, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", data) + chunk(b"IEND", b"")
    )


# --- the pixel limit -----------------------------------------------------------------------


def test_the_limit_is_the_callers_and_never_above_pillows_bomb_threshold() -> None:
    assert pixel_limit(1_000) == 1_000
    assert pixel_limit(10 * PILLOW_LIMIT) == PILLOW_LIMIT


def test_a_size_over_the_limit_is_refused_from_the_header_and_one_at_it_is_decoded() -> None:
    source = encode(quadrants(100, 100))
    with pytest.raises(ImageTooLarge, match="10000 pixels"):
        open_image(source, 9_999)
    assert decode(source, 10_000).size == (100, 100)


def test_the_header_is_checked_before_any_pixel_is_decoded() -> None:
    # No pixel data at all: decoding would fail as unreadable; the size check answers first.
    header_only = png_declaring(2000, 1000)
    with pytest.raises(ImageTooLarge):
        decode(header_only, 1_000_000)
    with pytest.raises(UnreadableImage) as within_limit:
        decode(header_only, 3_000_000)
    assert not isinstance(within_limit.value, ImageTooLarge)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_what_pillow_only_warns_about_is_refused_even_under_a_higher_limit() -> None:
    side = int(PILLOW_LIMIT**0.5) + 100  # over the threshold, under twice it: a warning
    with pytest.raises(ImageTooLarge, match=str(PILLOW_LIMIT)):
        open_image(png_declaring(side, side), 4 * PILLOW_LIMIT)


@pytest.mark.filterwarnings("error::PIL.Image.DecompressionBombWarning")
def test_pillows_warning_raised_as_an_error_is_too_large_as_well() -> None:
    side = int(PILLOW_LIMIT**0.5) + 100
    with pytest.raises(ImageTooLarge):
        open_image(png_declaring(side, side), 4 * PILLOW_LIMIT)


def test_what_pillow_raises_about_is_too_large() -> None:
    with pytest.raises(ImageTooLarge):
        open_image(png_declaring(20_000, 20_000), 10**12)


@pytest.mark.filterwarnings("ignore::PIL.Image.DecompressionBombWarning")
def test_a_compressed_bomb_is_refused_without_being_inflated() -> None:
    bomb = one_bit_bomb(12_000)  # 144 MP in about 20 KB
    assert len(bomb) < 50_000
    with pytest.raises(ImageTooLarge):
        decode(bomb, 50_000_000, verify=True)


def test_an_image_without_pixels_is_unreadable() -> None:
    with pytest.raises(UnreadableImage):
        open_image(png_declaring(0, 10), 1_000)


# --- damaged and foreign bytes -------------------------------------------------------------

PHOTO = Image.effect_noise((64, 48), 60).convert("RGB")


def _saved(fmt: str, image: Image.Image = PHOTO, **params: object) -> bytes:
    return encode(image, fmt, **params)


def test_a_truncated_jpeg_or_gif_is_refused_when_its_pixels_are_decoded() -> None:
    for fmt in ("JPEG", "GIF", "PNG"):
        data = _saved(fmt)
        with pytest.raises(UnreadableImage, match="truncated"):
            decode(data[: len(data) // 2], 10**6)


def test_verify_refuses_a_png_whose_pixels_decode_but_whose_file_is_damaged() -> None:
    png = _saved("PNG")
    without_end = png[:-12]  # IEND cut off: every pixel is there
    idat = png.index(b"IDAT")
    crc_at = idat + 4 + int.from_bytes(png[idat - 4 : idat], "big")
    bad_checksum = (
        png[:crc_at] + bytes(b ^ 0xFF for b in png[crc_at : crc_at + 4]) + png[crc_at + 4 :]
    )
    for damaged in (without_end, bad_checksum):
        assert decode(damaged, 10**6).size == PHOTO.size  # what verify is for
        with pytest.raises(UnreadableImage):
            decode(damaged, 10**6, verify=True)
    assert decode(png, 10**6, verify=True).size == PHOTO.size


@pytest.mark.parametrize(
    "data",
    [
        b"",
        b"not an image at all",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n",
        b"PK\x03\x04" + b"\0" * 60,
        b"<!doctype html><title>404</title>",
        random.Random(5).randbytes(4096),
    ],
    ids=["empty", "text", "svg", "pdf", "zip", "html", "random"],
)
def test_foreign_bytes_are_not_an_image(data: bytes) -> None:
    with pytest.raises(NotAnImage):
        open_image(data, 10**6)


def test_formats_outside_the_allowed_ones_are_not_an_image() -> None:
    with pytest.raises(NotAnImage, match="JPEG, PNG"):
        open_image(_saved("BMP"), 10**6, formats=("PNG", "JPEG"))
    assert open_image(_saved("PNG"), 10**6, formats=("PNG", "JPEG")).format == "PNG"


def _animated(fmt: str) -> bytes:
    frames = [PHOTO.rotate(90 * i) for i in range(3)]
    return encode(frames[0], fmt, save_all=True, append_images=frames[1:], duration=40)


FUZZED_FORMATS = ["JPEG", "PNG", "GIF", "TIFF", "BMP", "ICO"] + [
    PILLOW_NAMES[fmt] for fmt in ("webp", "avif", "jpeg2000") if fmt in producible_formats()
]


# Pillow warns about what it skips in a damaged TIFF or EXIF block: expected here.
@pytest.mark.filterwarnings("ignore::UserWarning")
@pytest.mark.parametrize("fmt", [*FUZZED_FORMATS, "animated GIF", "animated WEBP", "APNG"])
def test_damaged_bytes_of_any_format_decode_or_are_unreadable_and_nothing_else(fmt: str) -> None:
    """Cut at 40 places and 120 random corruptions (seeded): every one either decodes or is
    refused with UnreadableImage; no other exception escapes."""
    if fmt.startswith("animated "):
        data = _animated(fmt.split()[1])
    elif fmt == "APNG":
        data = _animated("PNG")
    else:
        data = _saved(fmt)
    rnd = random.Random(fmt)
    cases = [data[:cut] for cut in range(0, len(data), max(1, len(data) // 40))]
    for _ in range(120):
        damaged = bytearray(data)
        for _ in range(rnd.randrange(1, 6)):
            damaged[rnd.randrange(len(damaged))] = rnd.randrange(256)
        cases.append(bytes(damaged))
    for case in cases:
        try:
            image = load_pixels(open_image(case, 10**6, verify=True))
            for _frame in decoded_frames(image):
                pass
            upright(load_pixels(open_image(case, 10**6)))
        except UnreadableImage:
            pass


# --- orientation and modes -----------------------------------------------------------------

# What each EXIF orientation asks a viewer to do to the stored pixels.
ORIENTATIONS = {
    1: None,
    2: Image.Transpose.FLIP_LEFT_RIGHT,
    3: Image.Transpose.ROTATE_180,
    4: Image.Transpose.FLIP_TOP_BOTTOM,
    5: Image.Transpose.TRANSPOSE,
    6: Image.Transpose.ROTATE_270,
    7: Image.Transpose.TRANSVERSE,
    8: Image.Transpose.ROTATE_90,
}


def _stored_as(orientation: int, fmt: str = "JPEG") -> bytes:
    """Upright quadrants (80×40), stored so that ``orientation`` brings them back upright."""
    upright_picture = quadrants(80, 40)
    undo = ORIENTATIONS[orientation]
    stored = upright_picture
    if undo is not None:
        # Each transposition's inverse: rotations the other way round, the flips themselves.
        inverse = {
            Image.Transpose.ROTATE_90: Image.Transpose.ROTATE_270,
            Image.Transpose.ROTATE_270: Image.Transpose.ROTATE_90,
        }.get(undo, undo)
        stored = upright_picture.transpose(inverse)
    exif = Image.Exif()
    exif[0x0112] = orientation
    params: dict[str, object] = {"exif": exif.tobytes()}
    if fmt == "JPEG":
        params["quality"] = 95
    return encode(stored, fmt, **params)


@pytest.mark.parametrize("orientation", sorted(ORIENTATIONS))
def test_every_exif_orientation_comes_out_upright(orientation: int) -> None:
    data = _stored_as(orientation)
    assert oriented_size(open_image(data, 10**6)) == (80, 40)
    assert oriented_size(open_image(data, 10**6), header_only=True) == (80, 40)
    image = decode(data, 10**6)
    assert image.size == (80, 40)
    for point, colour in (((10, 5), RED), ((70, 5), GREEN), ((10, 35), BLUE), ((70, 35), YELLOW)):
        assert close(image.getpixel(point), colour, 24), (orientation, point)


def test_orientation_after_a_pngs_pixels_is_read_unless_only_the_header_may_be() -> None:
    exif = Image.Exif()
    exif[0x0112] = 6
    buffer = io.BytesIO()
    quadrants(80, 40).save(buffer, "PNG")
    png = buffer.getvalue()
    body = exif.tobytes().removeprefix(b"Exif\0\0")
    trailing = (
        struct.pack(">I", len(body))
        + b"eXIf"
        + body
        + struct.pack(">I", zlib.crc32(b"eXIf" + body))
    )
    data = png[:-12] + trailing + png[-12:]
    assert oriented_size(open_image(data, 10**6), header_only=True) == (80, 40)
    assert oriented_size(open_image(data, 10**6)) == (40, 80)


@pytest.mark.filterwarnings("ignore::UserWarning")
def test_damaged_exif_in_the_header_means_no_orientation() -> None:
    data = encode(quadrants(80, 40), "JPEG", exif=b"Exif\0\0MM\0*\0\0\0\x08\xff\xff")
    assert oriented_size(open_image(data, 10**6), header_only=True) == (80, 40)


@pytest.mark.parametrize(
    ("image", "mode"),
    [
        (Image.new("RGB", (4, 4)), "RGB"),
        (Image.new("RGBA", (4, 4)), "RGBA"),
        (Image.new("L", (4, 4)), "RGB"),
        (Image.new("LA", (4, 4)), "RGBA"),
        (Image.new("1", (4, 4)), "RGB"),
        (Image.new("CMYK", (4, 4)), "RGB"),
        (Image.new("P", (4, 4)), "RGB"),
        (Image.new("I;16", (4, 4)), "RGB"),
        (Image.new("F", (4, 4)), "RGB"),
    ],
    ids=lambda v: v if isinstance(v, str) else v.mode,
)
def test_every_mode_becomes_rgb_or_rgba(image: Image.Image, mode: str) -> None:
    assert to_working_mode(image).mode == mode


def test_a_palette_with_a_transparent_index_becomes_rgba() -> None:
    palette = Image.new("P", (4, 4), 0)
    palette.info["transparency"] = 0
    assert to_working_mode(palette).mode == "RGBA"


def test_a_jpeg_is_decoded_at_a_reduced_scale_when_the_output_needs_less() -> None:
    data = _saved("JPEG", Image.effect_noise((800, 600), 30).convert("RGB"))
    assert decode(data, 10**6, needed=0.1).size == (200, 150)
    assert decode(data, 10**6).size == (800, 600)
    assert decode(_saved("PNG", Image.new("RGB", (800, 600))), 10**6, needed=0.2).size == (800, 600)


@pytest.mark.skipif("avif" not in producible_formats(), reason="no AVIF in this Pillow build")
def test_pixels_the_decoder_library_fails_on_are_unreadable() -> None:
    avif = _saved("AVIF")
    payload = avif.index(b"mdat") + 4
    blank = avif[:payload] + bytes(len(avif) - payload)  # header intact, AV1 data zeroed
    with pytest.raises(UnreadableImage):
        decode(blank, 10**6)
