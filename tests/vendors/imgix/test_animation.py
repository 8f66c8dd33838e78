"""Animated sources: every frame kept and resized for gif/webp/avif output, first frame for
the others, durations and loop kept, and the frame bounds refused."""

from __future__ import annotations

import io
from typing import Any

import pytest
from PIL import Image, ImageSequence

from vendors.imgix import animation
from vendors.imgix.pipeline import render

COLOURS = [(255, 0, 0), (0, 255, 0), (0, 0, 255), (255, 255, 0)]
DURATIONS = [100, 200, 300, 400]


def animated(
    fmt: str = "GIF",
    size: tuple[int, int] = (60, 40),
    colours: list[tuple[int, int, int]] = COLOURS,
    durations: list[int] | None = None,
    loop: int | None = 0,
) -> bytes:
    frames = [Image.new("RGB", size, c) for c in colours]
    frames[0].paste(
        (0, 0, 0), (0, 0, size[0] // 2, size[1] // 2)
    )  # a black corner on the first frame
    out = io.BytesIO()
    options: dict[str, object] = {
        "save_all": True,
        "append_images": frames[1:],
        "duration": durations or DURATIONS[: len(colours)],
    }
    if loop is not None:
        options["loop"] = loop
    frames[0].save(out, fmt, **options)
    return out.getvalue()


def _frames(body: bytes) -> list[tuple[Image.Image, int]]:
    image = Image.open(io.BytesIO(body))
    return [
        (f.convert("RGB"), int(f.info.get("duration", 0))) for f in ImageSequence.Iterator(image)
    ]


def _close(a: Any, b: tuple[int, ...], slack: int = 8) -> bool:
    return all(abs(x - y) <= slack for x, y in zip(a, b, strict=True))


def test_a_gif_stays_animated_with_every_frame_resized() -> None:
    rendered = render(animated(), {"w": "30"})
    assert rendered.content_type == "image/gif" and (rendered.width, rendered.height) == (30, 20)
    frames = _frames(rendered.body)
    assert len(frames) == 4 and all(f.size == (30, 20) for f, _ in frames)
    assert [d for _, d in frames] == DURATIONS
    assert _close(frames[0][0].getpixel((2, 2)), (0, 0, 0)) and _close(
        frames[0][0].getpixel((27, 17)), COLOURS[0]
    )
    for (frame, _), colour in zip(frames[1:], COLOURS[1:], strict=True):
        assert _close(frame.getpixel((2, 2)), colour) and _close(frame.getpixel((27, 17)), colour)
    assert Image.open(io.BytesIO(rendered.body)).info.get("loop") == 0


def test_a_gif_that_plays_once_still_plays_once() -> None:
    rendered = render(animated(loop=None), {"w": "30", "fm": "gif"})
    assert "loop" not in Image.open(io.BytesIO(rendered.body)).info


@pytest.mark.parametrize("fm", ["webp", "avif"])
def test_webp_and_avif_output_keep_the_animation(fm: str) -> None:
    rendered = render(animated(), {"w": "30", "h": "30", "fit": "crop", "fm": fm})
    frames = _frames(rendered.body)
    assert rendered.content_type == f"image/{fm}" and len(frames) == 4
    assert all(f.size == (30, 30) for f, _ in frames)
    for (frame, _), colour in zip(frames[1:], COLOURS[1:], strict=True):
        assert _close(frame.getpixel((15, 15)), colour)
    if fm == "webp":
        assert [d for _, d in frames] == DURATIONS


def test_an_animated_webp_source_stays_animated_without_fm() -> None:
    rendered = render(animated("WEBP"), {"w": "20"})
    assert rendered.content_type == "image/webp" and len(_frames(rendered.body)) == 4


@pytest.mark.parametrize("fm", ["png", "jpg", "pjpg"])
def test_formats_without_animation_take_the_first_frame(fm: str) -> None:
    rendered = render(animated(), {"w": "30", "fm": fm})
    image = Image.open(io.BytesIO(rendered.body))
    assert getattr(image, "n_frames", 1) == 1 and image.size == (30, 20)
    assert _close(image.convert("RGB").getpixel((27, 17)), COLOURS[0]) and _close(
        image.convert("RGB").getpixel((2, 2)), (0, 0, 0)
    )


def test_blend_and_mark_apply_to_every_frame() -> None:
    logo = io.BytesIO()
    Image.new("RGB", (10, 10), (0, 0, 0)).save(logo, "PNG")
    rendered = render(
        animated(),
        {"blend": "808080", "blend-mode": "multiply", "mark-pad": "0"},
        mark_data=logo.getvalue(),
    )
    for (frame, _), colour in zip(_frames(rendered.body)[1:], COLOURS[1:], strict=True):
        assert _close(frame.getpixel((40, 20)), tuple(c * 128 // 255 for c in colour))
        assert _close(frame.getpixel((55, 35)), (0, 0, 0))  # the mark, bottom right


def test_a_crop_window_is_chosen_once_for_every_frame() -> None:
    # frame 1 has the black (busy) corner top-left; later frames are flat: entropy would move
    # the window per frame, so it is decided on the first and kept
    rendered = render(
        animated(size=(120, 40)), {"w": "40", "h": "40", "fit": "crop", "crop": "entropy"}
    )
    frames = _frames(rendered.body)
    assert _close(frames[0][0].getpixel((2, 2)), (0, 0, 0))  # the window holds the corner
    assert all(f.size == (40, 40) for f, _ in frames)


def test_more_frames_than_imgix_allows_are_refused() -> None:
    colours = [(i % 2 * 255, 0, 0) for i in range(animation.MAX_FRAMES + 1)]
    data = animated(size=(2, 2), colours=colours, durations=[20] * len(colours))
    with pytest.raises(animation.AnimationTooLarge, match="at most 900"):
        render(data, {"fm": "gif"})
    assert render(data, {"fm": "png"}).content_type == "image/png"  # one frame is fine


def test_frames_times_pixels_are_bounded_on_the_way_in_and_out() -> None:
    source = Image.open(io.BytesIO(animated()))  # 4 frames of 60×40 = 9,600 frame pixels
    animation.check_source(source, max_frame_pixels=9_600)
    with pytest.raises(animation.AnimationTooLarge, match="frame pixels"):
        animation.check_source(source, max_frame_pixels=9_599)
    colours = [(i % 2 * 255, 0, 0) for i in range(400)]
    small = animated(size=(2, 2), colours=colours, durations=[20] * 400)
    with pytest.raises(animation.AnimationTooLarge, match="400 frames of 400x400"):
        render(small, {"w": "400", "h": "400", "fit": "scale"})  # 64 M output frame pixels
    assert len(_frames(render(small, {"w": "20", "h": "20", "fit": "scale"}).body)) == 400


def test_a_transparent_animation_leaves_no_trail_of_earlier_frames() -> None:
    frames = [Image.new("RGBA", (40, 40), (0, 0, 0, 0)) for _ in range(3)]
    for i, frame in enumerate(frames):
        frame.paste((255, 0, 0, 255), (i * 10, 0, i * 10 + 10, 10))  # a square moving right
    data = io.BytesIO()
    frames[0].save(
        data, "GIF", save_all=True, append_images=frames[1:], duration=50, loop=0, disposal=2
    )
    body = render(data.getvalue(), {"w": "20"}).body
    for index, frame in enumerate(ImageSequence.Iterator(Image.open(io.BytesIO(body)))):
        rgba = frame.convert("RGBA")
        alphas = [rgba.getpixel((x, 2))[3] for x in (1, 6, 11)]  # type: ignore[index]
        assert alphas == [255 if i == index else 0 for i in range(3)]
