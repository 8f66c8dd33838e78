"""The rendered pixels: gravity crops, includeAll padding, rounded corners, crop rectangles,
exact output sizes and upscaling. Sources are built in the test; outputs are decoded."""

from __future__ import annotations

from typing import Any

import pytest
from PIL import Image

from imaging.rendered import Rendered
from origin.imaging.geometry import GRAVITY_ANCHORS
from origin.imaging.pipeline import render_variant
from origin.imaging.spec import RenderSpec
from tests.imaging.pictures import (
    BLUE,
    GREEN,
    GRID_COLOURS,
    RED,
    YELLOW,
    close,
    decode,
    encode,
    grid,
    quadrants,
    solid,
)

PNG_GRID = encode(grid(100))  # 300×300


def render_png(
    source: bytes, width: int | None = None, height: int | None = None, **spec: Any
) -> tuple[Rendered, Image.Image]:
    """Render losslessly and decode as RGBA, so pixels and alpha can be checked exactly."""
    rendered = render_variant(source, RenderSpec(width, height, format="png", **spec))
    return rendered, decode(rendered.body).convert("RGBA")


@pytest.mark.parametrize("gravity", sorted(GRAVITY_ANCHORS))
def test_crop_to_a_wide_box_keeps_the_row_the_gravity_names(gravity: str) -> None:
    # A square grid into a 3:1 box keeps one full-width band of rows: top, middle or bottom.
    _, image = render_png(PNG_GRID, width=150, height=50, gravity=gravity)
    row = {0.0: 0, 0.5: 1, 1.0: 2}[GRAVITY_ANCHORS[gravity][1]]
    for col in range(3):
        assert close(image.getpixel((25 + 50 * col, 25))[:3], GRID_COLOURS[row][col])


@pytest.mark.parametrize("gravity", sorted(GRAVITY_ANCHORS))
def test_crop_to_a_tall_box_keeps_the_column_the_gravity_names(gravity: str) -> None:
    _, image = render_png(PNG_GRID, width=50, height=150, gravity=gravity)
    col = {0.0: 0, 0.5: 1, 1.0: 2}[GRAVITY_ANCHORS[gravity][0]]
    for row in range(3):
        assert close(image.getpixel((25, 25 + 50 * row))[:3], GRID_COLOURS[row][col])


def test_crop_of_a_tall_quadrant_image_north_keeps_the_top_colours_south_the_bottom() -> None:
    source = encode(quadrants(200, 400))
    _, north = render_png(source, width=200, height=100, gravity="north")
    _, south = render_png(source, width=200, height=100, gravity="south")
    assert close(north.getpixel((50, 50))[:3], RED) and close(north.getpixel((150, 50))[:3], GREEN)
    assert close(south.getpixel((50, 50))[:3], BLUE) and close(
        south.getpixel((150, 50))[:3], YELLOW
    )


@pytest.mark.parametrize(
    ("gravity", "opaque_rows"),
    [
        ("center", range(25, 75)),
        ("north", range(50)),
        ("south", range(50, 100)),
        ("southeast", range(50, 100)),
    ],
)
def test_include_all_pads_a_wide_image_with_transparency_around_where_gravity_puts_it(
    gravity: str, opaque_rows: range
) -> None:
    source = encode(solid(200, 100))
    _, image = render_png(source, width=100, height=100, mode="includeAll", gravity=gravity)
    assert image.size == (100, 100)
    alpha = image.getchannel("A")
    for y in range(100):
        expected = 255 if y in opaque_rows else 0
        # Edge rows of the pasted image may be blended by resampling; skip the boundary row.
        if y in (opaque_rows.start - 1, opaque_rows.start, opaque_rows.stop - 1, opaque_rows.stop):
            continue
        assert alpha.getpixel((50, y)) == expected, (gravity, y)
        assert alpha.getpixel((0, y)) == expected and alpha.getpixel((99, y)) == expected
    inside = image.getpixel((50, (opaque_rows.start + opaque_rows.stop) // 2))
    assert close(inside, (*RED, 255))


@pytest.mark.parametrize(
    ("gravity", "opaque_cols"),
    [
        ("center", range(25, 75)),
        ("west", range(50)),
        ("east", range(50, 100)),
        ("northwest", range(50)),
    ],
)
def test_include_all_pads_a_tall_image_left_and_right_by_gravity(
    gravity: str, opaque_cols: range
) -> None:
    source = encode(solid(100, 200))
    _, image = render_png(source, width=100, height=100, mode="includeAll", gravity=gravity)
    alpha = image.getchannel("A")
    for x in (0, 10, 24, 26, 49, 51, 74, 76, 90, 99):
        if x in (opaque_cols.start - 1, opaque_cols.stop):
            continue
        assert alpha.getpixel((x, 50)) == (255 if x in opaque_cols else 0), (gravity, x)


def test_include_all_keeps_the_whole_image_visible() -> None:
    # All four quadrants survive includeAll, where crop to the same box cuts two of them away.
    source = encode(quadrants(400, 100))
    _, padded = render_png(source, width=100, height=100, mode="includeAll")
    _, cropped = render_png(source, width=100, height=100, mode="crop")
    for point, colour in (((20, 44), RED), ((80, 44), GREEN), ((20, 56), BLUE), ((80, 56), YELLOW)):
        assert close(padded.getpixel(point)[:3], colour), point
    assert close(cropped.getpixel((20, 20))[:3], RED) and close(
        cropped.getpixel((80, 20))[:3], GREEN
    )
    assert close(cropped.getpixel((20, 80))[:3], BLUE)  # 200–300 px of the source: centre crop


def test_rounded_corners_are_transparent_and_the_inside_opaque() -> None:
    _, image = render_png(encode(solid(400, 200)), width=200, height=100, rounded_corners=30)
    alpha = image.getchannel("A")
    for corner in ((0, 0), (199, 0), (0, 99), (199, 99), (5, 5), (194, 94)):
        assert alpha.getpixel(corner) == 0, corner
    for inside in ((30, 30), (100, 50), (100, 0), (0, 50), (169, 69), (199, 50)):
        assert alpha.getpixel(inside) == 255, inside


def test_rounded_corners_on_jpeg_output_are_flattened_on_white() -> None:
    rendered = render_variant(encode(solid(400, 200)), RenderSpec(200, 100, rounded_corners=40))
    image = decode(rendered.body)
    assert image.mode == "RGB"
    assert close(image.getpixel((0, 0)), (255, 255, 255), tolerance=12)
    assert close(image.getpixel((100, 50)), RED, tolerance=12)


def test_crop_rect_selects_the_region_before_the_box() -> None:
    source = encode(quadrants(200, 200))
    _, yellow = render_png(source, width=50, crop=(0.5, 0.5, 1.0, 1.0))
    assert yellow.size == (50, 50)
    assert all(close(yellow.getpixel(p)[:3], YELLOW) for p in ((0, 0), (25, 25), (49, 49)))
    # The left half is 100×200: one given side follows the aspect *after* the crop.
    rendered, left = render_png(source, width=50, crop=(0.0, 0.0, 0.5, 1.0))
    assert (rendered.width, rendered.height) == left.size == (50, 100)
    assert close(left.getpixel((25, 20))[:3], RED) and close(left.getpixel((25, 80))[:3], BLUE)


@pytest.mark.parametrize("mode", ["crop", "includeAll"])
@pytest.mark.parametrize(
    ("width", "height"), [(123, 77), (1, 1), (640, 2), (300, None), (None, 100)]
)
def test_output_size_is_exact(mode: str, width: int | None, height: int | None) -> None:
    expected = {(300, None): (300, 169), (None, 100): (178, 100)}.get(
        (width, height), (width, height)
    )
    source = encode(quadrants(1920, 1080), "JPEG")
    rendered = render_variant(source, RenderSpec(width, height, mode))  # type: ignore[arg-type]
    assert decode(rendered.body).size == (rendered.width, rendered.height) == expected


def test_small_sources_are_upscaled_to_the_box() -> None:
    _, image = render_png(encode(quadrants(50, 40)), width=500)
    assert image.size == (500, 400)
    assert close(image.getpixel((100, 100))[:3], RED) and close(
        image.getpixel((400, 300))[:3], YELLOW
    )
    _, padded = render_png(encode(quadrants(50, 40)), width=600, height=600, mode="includeAll")
    assert padded.getchannel("A").getpixel((300, 10)) == 0  # 600×480 centred: 60 px pads
    assert close(padded.getpixel((150, 150))[:3], RED)


@pytest.mark.parametrize(("width", "height"), [(1927, 1085), (1003, 749), (999, 1999)])
def test_derived_sizes_and_fitted_content_follow_the_full_source_even_when_draft_decoded(
    width: int, height: int
) -> None:
    # Reduced JPEG decodes round their size up; sizes must still come from the real aspect.
    source = encode(solid(width, height, BLUE), "JPEG")
    for box in (47, 166, 299, 320):
        rendered = render_variant(source, RenderSpec(box, None))
        assert (rendered.width, rendered.height) == (box, max(1, round(box * height / width)))
        _, padded = render_png(source, width=box, height=box, mode="includeAll")
        opaque = padded.getchannel("A").point(lambda a: 255 if a == 255 else 0).getbbox()
        assert opaque is not None
        fitted = (opaque[2] - opaque[0], opaque[3] - opaque[1])
        scale = min(box / width, box / height)
        assert fitted == (min(box, round(width * scale)), min(box, round(height * scale)))


def test_rounded_corners_larger_than_the_image_make_a_pill_not_an_error() -> None:
    _, image = render_png(encode(solid(400, 100)), width=200, height=50, rounded_corners=10_000)
    alpha = image.getchannel("A")
    assert alpha.getpixel((0, 0)) == 0 and alpha.getpixel((0, 25)) > 0
    assert alpha.getpixel((100, 0)) == 255 and alpha.getpixel((100, 25)) == 255
