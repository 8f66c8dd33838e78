"""An original's header: displayed size (EXIF orientation applied) and format, without decoding."""

from __future__ import annotations

import io

import pytest
from PIL import Image

from imaging.errors import ImageTooLarge, UnreadableImage
from origin.serving.source_header import SourceHeader, read_header


def rotated(orientation: int, fmt: str = "JPEG", size: tuple[int, int] = (200, 100)) -> bytes:
    exif = Image.Exif()
    exif[0x0112] = orientation
    out = io.BytesIO()
    Image.new("RGB", size, (10, 20, 30)).save(out, fmt, exif=exif.tobytes())
    return out.getvalue()


def plain(fmt: str, size: tuple[int, int] = (30, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(
    ("fmt", "name"), [("PNG", "png"), ("JPEG", "jpeg"), ("WEBP", "webp"), ("GIF", "gif")]
)
def test_size_and_format_come_from_the_header(fmt: str, name: str) -> None:
    assert read_header(plain(fmt), 10_000) == SourceHeader(30, 20, name)


@pytest.mark.parametrize("orientation", [5, 6, 7, 8])
def test_a_rotating_exif_orientation_swaps_the_displayed_size(orientation: int) -> None:
    assert read_header(rotated(orientation), 100_000) == SourceHeader(100, 200, "jpeg")


@pytest.mark.parametrize("orientation", [1, 2, 3, 4])
def test_a_non_rotating_orientation_keeps_the_size(orientation: int) -> None:
    assert read_header(rotated(orientation), 100_000) == SourceHeader(200, 100, "jpeg")


@pytest.mark.parametrize("fmt", ["PNG", "WEBP"])
def test_orientation_is_read_from_png_and_webp_headers_too(fmt: str) -> None:
    assert (
        read_header(rotated(6, fmt), 100_000).width,
        read_header(rotated(6, fmt), 100_000).height,
    ) == (100, 200)


@pytest.mark.parametrize("body", [b"", b"garbage", b"\x89PNG\r\n\x1a\n"])
def test_what_is_no_image_is_unreadable(body: bytes) -> None:
    with pytest.raises(UnreadableImage):
        read_header(body, 10_000)


def test_more_pixels_than_the_limit_are_refused_from_the_header() -> None:
    with pytest.raises(ImageTooLarge):
        read_header(plain("PNG", (100, 100)), 9_999)
