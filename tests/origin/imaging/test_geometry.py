"""Pure box arithmetic: output boxes, gravity anchors, fill regions, fit sizes, pad offsets."""

from __future__ import annotations

import pytest

from origin.imaging import geometry


def test_both_sides_given_is_exactly_that_box() -> None:
    assert geometry.output_box(123, 77, (1920, 1080)) == (123, 77)


def test_one_side_given_follows_the_source_aspect_rounded() -> None:
    assert geometry.output_box(300, None, (1920, 1080)) == (300, 169)  # 168.75
    assert geometry.output_box(None, 100, (1920, 1080)) == (178, 100)  # 177.8


def test_derived_side_is_never_below_one_pixel() -> None:
    assert geometry.output_box(1, None, (1000, 10)) == (1, 1)
    assert geometry.output_box(None, 1, (10, 1000)) == (1, 1)


def test_no_side_given_keeps_the_source_size() -> None:
    assert geometry.output_box(None, None, (640, 480)) == (640, 480)


@pytest.mark.parametrize(
    ("gravity", "anchor"),
    [
        ("northwest", (0.0, 0.0)),
        ("north", (0.5, 0.0)),
        ("northeast", (1.0, 0.0)),
        ("west", (0.0, 0.5)),
        ("center", (0.5, 0.5)),
        ("east", (1.0, 0.5)),
        ("southwest", (0.0, 1.0)),
        ("south", (0.5, 1.0)),
        ("southeast", (1.0, 1.0)),
    ],
)
def test_each_gravity_names_its_anchor(gravity: str, anchor: tuple[float, float]) -> None:
    assert geometry.gravity_anchor(gravity) == anchor


def test_unknown_gravity_is_refused() -> None:
    with pytest.raises(ValueError, match="gravity"):
        geometry.gravity_anchor("up")


def test_fill_region_of_a_wide_source_cuts_the_sides_at_the_gravity() -> None:
    # 400×100 into a square box: keep 100×100, 300 px of slack on x.
    assert geometry.fill_region((400, 100), (50, 50), "west") == (0.0, 0.0, 100.0, 100.0)
    assert geometry.fill_region((400, 100), (50, 50), "center") == (150.0, 0.0, 250.0, 100.0)
    assert geometry.fill_region((400, 100), (50, 50), "southeast") == (300.0, 0.0, 400.0, 100.0)


def test_fill_region_of_a_tall_source_cuts_top_and_bottom_at_the_gravity() -> None:
    assert geometry.fill_region((100, 400), (50, 50), "north") == (0.0, 0.0, 100.0, 100.0)
    assert geometry.fill_region((100, 400), (50, 50), "west") == (0.0, 150.0, 100.0, 250.0)
    assert geometry.fill_region((100, 400), (50, 50), "south") == (0.0, 300.0, 100.0, 400.0)


def test_fill_region_of_a_same_aspect_source_is_the_whole_source() -> None:
    assert geometry.fill_region((1920, 1080), (640, 360), "north") == (0.0, 0.0, 1920.0, 1080.0)


def test_fit_size_keeps_the_aspect_inside_the_box_and_enlarges_small_sources() -> None:
    assert geometry.fit_size((1920, 1080), (600, 900)) == (600, 338)
    assert geometry.fit_size((100, 200), (600, 600)) == (300, 600)
    assert geometry.fit_size((1000, 1), (10, 10)) == (10, 1)


def test_pad_offset_places_the_inner_image_by_gravity() -> None:
    assert geometry.pad_offset((100, 50), (100, 100), "center") == (0, 25)
    assert geometry.pad_offset((100, 50), (100, 100), "north") == (0, 0)
    assert geometry.pad_offset((100, 50), (100, 100), "southwest") == (0, 50)
    assert geometry.pad_offset((50, 100), (100, 100), "east") == (50, 0)


def test_crop_pixels_maps_relative_rectangles_and_clamps_them() -> None:
    assert geometry.crop_pixels((0.25, 0.5, 0.75, 1.0), (200, 100)) == (50, 50, 150, 100)
    assert geometry.crop_pixels(None, (200, 100)) == (0, 0, 200, 100)
    assert geometry.crop_pixels((-1.0, -1.0, 2.0, 2.0), (200, 100)) == (0, 0, 200, 100)


def test_a_degenerate_crop_still_keeps_one_pixel() -> None:
    assert geometry.crop_pixels((0.5, 0.5, 0.5, 0.5), (200, 100)) == (100, 50, 101, 51)
    assert geometry.crop_pixels((1.0, 1.0, 1.0, 1.0), (200, 100)) == (199, 99, 200, 100)


def test_needed_scale_fills_in_crop_mode_and_fits_in_include_all() -> None:
    assert geometry.needed_scale((1920, 1080), (600, 900), "crop") == pytest.approx(900 / 1080)
    assert geometry.needed_scale((1920, 1080), (600, 900), "includeAll") == pytest.approx(
        600 / 1920
    )
