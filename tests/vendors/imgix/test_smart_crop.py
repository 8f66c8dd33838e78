"""crop=entropy and crop=edges choose their window by measuring the image; faces is never
found and falls through to the other modes given, then the centre."""

from __future__ import annotations

from PIL import Image, ImageDraw

from vendors.imgix.sizing import fit
from vendors.imgix.smart_crop import crop_window

FLAT = 128


def _gradient(size: int) -> Image.Image:
    """Many grey levels and no edges (a linear ramp has no second derivative)."""
    ramp = Image.new("L", (size, size))
    ramp.putdata([x + y for y in range(size) for x in range(size)])
    return ramp


def _checker(size: int, cell: int = 8) -> Image.Image:
    """Two grey levels and edges everywhere."""
    board = Image.new("L", (size, size), 0)
    draw = ImageDraw.Draw(board)
    for y in range(0, size, cell):
        for x in range(0, size, cell):
            if (x // cell + y // cell) % 2:
                draw.rectangle((x, y, x + cell - 1, y + cell - 1), fill=255)
    return board


def busy_strip(horizontal: bool = True) -> Image.Image:
    """300×100 (or 100×300): the ramp, flat grey, the checkerboard."""
    strip = Image.new("L", (300, 100) if horizontal else (100, 300), FLAT)
    strip.paste(_gradient(100), (0, 0))
    strip.paste(_checker(100), (200, 0) if horizontal else (0, 200))
    return strip.convert("RGB")


def _flat_columns(image: Image.Image) -> int:
    grey = image.convert("L")
    return sum(
        1
        for x in range(grey.width)
        if all(grey.getpixel((x, y)) == FLAT for y in range(grey.height))
    )


def _flat_rows(image: Image.Image) -> int:
    return _flat_columns(image.transpose(Image.Transpose.TRANSPOSE))


def test_entropy_picks_the_region_with_the_most_grey_levels() -> None:
    source = busy_strip()
    out = fit(source, {"w": "100", "h": "100", "fit": "crop", "crop": "entropy"})
    assert out.size == (100, 100)
    assert out.tobytes() == source.crop((0, 0, 100, 100)).tobytes()  # the ramp, exactly


def test_edges_picks_the_region_with_the_most_edge_energy() -> None:
    source = busy_strip()
    out = fit(source, {"w": "100", "h": "100", "fit": "crop", "crop": "edges"})
    assert _flat_columns(out) <= 2  # the centre crop would be all flat grey
    histogram = out.convert("L").histogram()
    assert histogram[0] + histogram[255] >= 0.95 * 100 * 100  # the checkerboard, bar a border
    left, _, right, _ = crop_window(source, (100, 100), {"edges"})
    assert 197 <= left <= 200 and right - left == 100


def test_smart_crops_slide_along_the_vertical_axis_too() -> None:
    source = busy_strip(horizontal=False)
    entropy = fit(source, {"w": "100", "h": "100", "fit": "crop", "crop": "entropy"})
    assert entropy.tobytes() == source.crop((0, 0, 100, 100)).tobytes()
    edges = fit(source, {"w": "100", "h": "100", "fit": "crop", "crop": "edges"})
    assert _flat_rows(edges) <= 2 and edges.convert("L").getpixel((0, 99)) in (0, 255)


def test_smart_crops_work_on_a_scaled_copy_of_large_images() -> None:
    source = busy_strip().resize((1500, 500), Image.Resampling.NEAREST)  # analysed at 256 px wide
    assert crop_window(source, (200, 200), {"entropy"}) == (0, 0, 500, 500)
    left, _, right, _ = crop_window(source, (200, 200), {"edges"})
    assert abs(left - 1000) <= 10 and right - left == 500


def test_a_flat_image_crops_at_the_centre() -> None:
    flat = Image.new("RGB", (300, 100), (10, 20, 30))
    for mode in ("entropy", "edges"):
        assert crop_window(flat, (100, 100), {mode}) == (100, 0, 200, 100)


def test_faces_fall_back_to_the_other_modes_given_then_the_centre() -> None:
    source = busy_strip()
    assert crop_window(source, (100, 100), {"faces"}) == (100, 0, 200, 100)
    assert crop_window(source, (100, 100), {"faces", "entropy"}) == (0, 0, 100, 100)
    assert crop_window(source, (100, 100), {"faces", "right"}) == (200, 0, 300, 100)
    assert crop_window(source, (100, 100), {"faces", "left"}) == (0, 0, 100, 100)


def test_the_directions_still_place_the_window() -> None:
    source = Image.new("RGB", (100, 300))
    assert crop_window(source, (50, 50), {"top"}) == (0, 0, 100, 100)
    assert crop_window(source, (50, 50), {"bottom"}) == (0, 200, 100, 300)
    assert crop_window(source, (50, 50), set()) == (0, 100, 100, 200)
