"""Animations read frame by frame: counts, frames as shown with their durations, loop
counts, and a damaged frame refused as unreadable."""

from __future__ import annotations

import pytest
from PIL import Image

from imaging.decoding import load_pixels, open_image
from imaging.errors import UnreadableImage
from imaging.frames import decoded_frames, frame_count, loop_count
from tests.imaging.pictures import BLUE, GREEN, RED, close, encode

COLOURS = [RED, GREEN, BLUE]


def animated(
    fmt: str = "GIF", loop: int | None = 0, durations: tuple[int, ...] = (100, 200, 300)
) -> bytes:
    frames = [Image.new("RGB", (30, 20), colour) for colour in COLOURS]
    params: dict[str, object] = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": list(durations),
    }
    if loop is not None:
        params["loop"] = loop
    return encode(frames[0], fmt, **params)


@pytest.mark.parametrize("fmt", ["GIF", "WEBP", "PNG"])
def test_every_frame_is_decoded_in_rgba_with_its_duration(fmt: str) -> None:
    image = load_pixels(open_image(animated(fmt), 10**6))
    assert frame_count(image) == 3
    frames = list(decoded_frames(image))
    assert [duration for _, duration in frames] == [100, 200, 300]
    for (frame, _), colour in zip(frames, COLOURS, strict=True):
        assert frame.mode == "RGBA" and frame.size == (30, 20)
        assert close(frame.getpixel((15, 10))[:3], colour)  # type: ignore[index]


def test_a_still_is_one_frame() -> None:
    image = open_image(encode(Image.new("RGB", (4, 4))), 10**6)
    assert frame_count(image) == 1 and len(list(decoded_frames(image))) == 1


@pytest.mark.parametrize(("loop", "expected"), [(0, 0), (3, 3), (None, None)])
def test_the_loop_count_is_read_and_absent_means_play_once(
    loop: int | None, expected: int | None
) -> None:
    assert loop_count(open_image(animated(loop=loop), 10**6)) == expected


def test_a_damaged_later_frame_is_unreadable() -> None:
    data = animated(durations=(100, 100, 100))
    cut = data[: len(data) - 30]  # the last frame's pixels are gone
    image = load_pixels(open_image(cut, 10**6))
    with pytest.raises(UnreadableImage):
        list(decoded_frames(image))
