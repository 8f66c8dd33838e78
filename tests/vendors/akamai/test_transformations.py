"""One pixel test per transformation: the pipeline applied to real Pillow images,
checked by size and pixel values."""

from __future__ import annotations

import pytest
from PIL import Image

from vendors.akamai.ops_geometry import TransformError
from vendors.akamai.pipeline import RenderInputs, apply, apply_policy
from vendors.akamai.variables import VariableError

NONE = RenderInputs({}, {})
RED, BLUE, WHITE = (255, 0, 0, 255), (0, 0, 255, 255), (255, 255, 255, 255)


def plain(size: tuple[int, int] = (200, 100), color: tuple[int, ...] = RED) -> Image.Image:
    return Image.new("RGBA", size, color)


def halves() -> Image.Image:
    """Left half red, right half blue, 200×100."""
    image = plain()
    image.paste(BLUE, (100, 0, 200, 100))
    return image


def run(source: Image.Image, inputs: RenderInputs = NONE, /, **t: object) -> Image.Image:
    return apply(source, t, inputs)


@pytest.mark.parametrize(
    ("t", "size"),
    [
        ({"width": 100}, (100, 50)),
        ({"height": 50}, (100, 50)),
        ({"width": 100, "height": 100, "aspect": "fit"}, (100, 50)),
        ({"width": 100, "height": 100, "aspect": "fill"}, (200, 100)),
        ({"width": 100, "height": 100, "aspect": "ignore"}, (100, 100)),
        ({"width": 400, "type": "downsize"}, (200, 100)),
        ({"width": 100, "type": "downsize"}, (100, 50)),
        ({"width": 100, "type": "upsize"}, (200, 100)),
        ({"width": 400, "type": "upsize"}, (400, 200)),
    ],
)
def test_resize_fit_fill_ignore_and_the_direction_constraints(t, size):
    assert run(halves(), transformation="Resize", **t).size == size


def test_crop_at_gravity_with_offsets_and_expansion():
    cropped = run(
        halves(), transformation="Crop", width=50, height=20, gravity="East", xPosition=10
    )
    assert cropped.size == (50, 20) and cropped.getpixel((0, 0)) == BLUE
    west = run(halves(), transformation="Crop", width=50, height=20)
    assert west.getpixel((49, 19)) == RED
    clipped = run(
        halves(), transformation="Crop", width=100, height=100, xPosition=150, yPosition=50
    )
    assert clipped.size == (50, 50)
    expanded = run(halves(), transformation="Crop", width=100, height=100, xPosition=150, yPosition=50,
                   allowExpansion=True)  # fmt: skip
    assert expanded.size == (100, 100)
    assert expanded.getpixel((10, 10)) == BLUE and expanded.getpixel((90, 90))[3] == 0


def test_background_color_shows_through_transparency():
    image = plain(color=(0, 0, 0, 0))
    image.paste(RED, (0, 0, 10, 10))
    out = run(image, transformation="BackgroundColor", color="#00ff00")
    assert out.getpixel((50, 50)) == (0, 255, 0, 255) and out.getpixel((5, 5)) == RED


@pytest.mark.parametrize(
    ("kind", "gray"),
    [
        ("Rec601", 121),
        ("Rec709", 115),
        ("Brightness", 200),
        ("Lightness", 110),
        ("Rec601Luma", 121),
    ],
)
def test_grayscale_types(kind, gray):
    out = run(plain(color=(200, 100, 20, 255)), transformation="Grayscale", type=kind)
    r, g, b, _ = out.getpixel((5, 5))
    assert r == g == b and abs(r - gray) <= 1


@pytest.mark.parametrize(
    ("degrees", "size", "corner"),
    [(90, (100, 200), RED), (-90, (100, 200), BLUE), (180, (200, 100), BLUE)],
)
def test_rotate_clockwise_by_positive_degrees(degrees, size, corner):
    out = run(halves(), transformation="Rotate", degrees=degrees)
    assert out.size == size and out.getpixel((1, 1)) == corner


def test_rotate_arbitrary_angle_grows_the_canvas_with_transparent_corners():
    out = run(halves(), transformation="Rotate", degrees=45)
    assert out.width > 200 and out.height > 200 and out.getpixel((0, 0))[3] == 0


def test_composite_over_and_under_with_gravity_and_scale():
    layer = plain((20, 10), (0, 255, 0, 128))
    inputs = RenderInputs({}, {"/wm.png": layer})
    over = run(
        halves(), inputs, transformation="Composite", image={"url": "/wm.png"}, gravity="SouthEast"
    )
    _r, g, b, _ = over.getpixel((195, 95))
    assert g > 100 and b > 100  # green blended over blue
    assert over.getpixel((170, 80)) == BLUE
    under = run(
        halves(), inputs, transformation="Composite", image={"url": "/wm.png"}, placement="Under"
    )
    assert under.getpixel((5, 5)) == RED  # the opaque image hides what is under it
    scaled = run(plain(color=(0, 0, 0, 0)), inputs, transformation="Composite", image={"url": "/wm.png"},
                 scale=0.5, gravity="Center")  # fmt: skip
    box = scaled.getchannel("A").getbbox()
    assert box == (50, 25, 150, 75)  # 100 wide = half the image width, centred


def test_composite_layer_gets_its_own_transformation():
    inputs = RenderInputs({}, {"/wm.png": plain((20, 10), RED)})
    out = run(plain(color=WHITE), inputs, transformation="Composite",
              image={"url": "/wm.png", "transformation": {"transformation": "Grayscale"}})  # fmt: skip
    r, g, b, _ = out.getpixel((1, 1))
    assert r == g == b != 255


def test_trim_removes_the_uniform_border_within_fuzz_and_pads():
    image = plain((200, 100), WHITE)
    image.paste(RED, (50, 20, 150, 80))
    image.putpixel((0, 99), (250, 250, 250, 255))  # within the fuzz
    assert run(image, transformation="Trim", fuzz=0.1).size == (100, 60)
    padded = run(image, transformation="Trim", fuzz=0.1, padding=5)
    assert (
        padded.size == (110, 70)
        and padded.getpixel((0, 0)) == WHITE
        and padded.getpixel((5, 5)) == RED
    )
    assert run(image, transformation="Trim", fuzz=0.0).size == (
        150,
        80,
    )  # the off-white pixel counts


def test_blur_spreads_an_edge_and_scatters_past_the_original_edges():
    out = run(halves(), transformation="Blur", sigma=5)
    assert out.size == (230, 130)  # 3σ = 15 px more on every side, as the seed allows
    r, _, b, _ = out.getpixel((115, 65))  # the red | blue edge, moved by the margin
    assert 40 < r < 215 and 40 < b < 215
    assert out.getpixel((40, 65)) == RED  # far from every edge: untouched
    assert out.getpixel((0, 0))[3] == 0  # nothing scatters that far
    edge = out.getpixel((15, 65))  # the original left edge: half the light left the image
    assert edge[:3] == RED[:3] and 100 < edge[3] < 160  # its colour kept, not darkened


def test_unsharp_mask_steepens_an_edge():
    soft = run(halves(), transformation="Blur", sigma=3)
    sharp = run(soft, transformation="UnsharpMask", gain=2.0, sigma=3, threshold=0)
    assert sharp.getpixel((105, 59))[0] > soft.getpixel((105, 59))[0]


def test_hsl_rotates_hue_and_scales_saturation_and_lightness():
    shifted = run(plain(), transformation="HSL", hue=120)
    r, g, b, _ = shifted.getpixel((1, 1))
    assert g > 200 and r < 30 and b < 30  # red → green
    gray = run(plain(), transformation="HSL", saturation=0)
    r, g, b, _ = gray.getpixel((1, 1))
    assert r == g == b
    dark = run(plain(), transformation="HSL", lightness=0.5)
    assert 120 <= dark.getpixel((1, 1))[0] <= 135


@pytest.mark.parametrize(
    ("color", "t", "expected"),
    [
        # HSL: red is L 0.5, S 1; halving S keeps L (HSV would give (255, 128, 128)).
        ((255, 0, 0), {"saturation": 0.5}, (191, 64, 64)),
        # pink is L 0.75, S 1; halving L gives L 0.375, S 1 (HSV: (128, 64, 64)).
        ((255, 128, 128), {"lightness": 0.5}, (191, 0, 0)),
        ((255, 255, 255), {"lightness": 0.5}, (128, 128, 128)),
        ((40, 200, 120), {"saturation": 0.0}, (120, 120, 120)),  # grey of the same lightness
        ((40, 200, 120), {"lightness": 0.0}, (0, 0, 0)),
        ((40, 200, 120), {"hue": 0.0, "saturation": 1.0, "lightness": 1.0}, (40, 200, 120)),
    ],
)
def test_hsl_scales_saturation_and_lightness_in_hsl_space(color, t, expected):
    out = run(plain(color=(*color, 200)), transformation="HSL", **t).getpixel((1, 1))
    assert all(abs(a - b) <= 1 for a, b in zip(out[:3], expected, strict=True)), out
    assert out[3] == 200  # alpha kept


def test_max_colors_caps_the_palette():
    image = Image.new("RGBA", (64, 64))
    image.putdata([(x * 4, y * 4, 128, 255) for y in range(64) for x in range(64)])
    out = run(image, transformation="MaxColors", colors=8)
    assert len(out.getcolors(100000)) <= 8


def test_opacity_multiplies_alpha():
    assert run(plain(), transformation="Opacity", opacity=0.5).getpixel((1, 1))[3] == 128
    half = plain(color=(255, 0, 0, 100))
    assert run(half, transformation="Opacity", opacity=2.0).getpixel((1, 1))[3] == 200


def test_scale_by_factors():
    assert run(halves(), transformation="Scale", width=0.5, height=2).size == (100, 200)


def test_shear_keeps_the_size_and_slants_with_transparent_gaps():
    out = run(halves(), transformation="Shear", xShear=0.5)
    assert out.size == (200, 100)
    # Rows above the centre move left, rows below move right; the gaps are transparent.
    assert out.getpixel((1, 1))[3] == 255 and out.getpixel((198, 1))[3] == 0
    assert out.getpixel((1, 98))[3] == 0 and out.getpixel((198, 98))[3] == 255


def test_fit_and_fill_fits_the_image_over_a_filled_backdrop():
    out = run(halves(), transformation="FitAndFill", width=100, height=100,
              fillTransformation={"transformation": "BackgroundColor", "color": "#00ff00"})  # fmt: skip
    assert out.size == (100, 100)
    assert out.getpixel((10, 50)) == RED and out.getpixel((90, 50)) == BLUE  # the fitted image
    assert out.getpixel((50, 10))[:3] != (0, 255, 0)  # backdrop is the covered image itself here
    fill_only = run(plain((100, 20)), transformation="FitAndFill", width=50, height=50)
    assert fill_only.size == (50, 50) and fill_only.getpixel((25, 2)) == RED


def test_compound_applies_its_list_in_order():
    out = run(halves(), transformation="Compound", transformations=[
        {"transformation": "Crop", "width": 100, "height": 100, "gravity": "East"},
        {"transformation": "Scale", "width": 0.5, "height": 0.5},
    ])  # fmt: skip
    assert out.size == (50, 50) and out.getpixel((25, 25)) == BLUE


def test_if_dimension_and_if_orientation_choose_a_branch():
    gray = {"transformation": "Grayscale"}
    rotate = {"transformation": "Rotate", "degrees": 90}
    assert run(
        halves(), transformation="IfDimension", dimension="width", value=150, greaterThan=rotate
    ).size == (100, 200)
    assert run(
        halves(), transformation="IfDimension", dimension="width", value=250, greaterThan=rotate
    ).size == (200, 100)
    both = run(
        halves(),
        transformation="IfDimension",
        dimension="both",
        value=150,
        lessThan=rotate,
        default=gray,
    )
    assert both.size == (200, 100) and both.getpixel((1, 1))[0] == both.getpixel((1, 1))[1]
    assert run(halves(), transformation="IfOrientation", landscape=rotate).size == (100, 200)
    assert run(
        plain((50, 50)), transformation="IfOrientation", landscape=rotate, square=gray
    ).size == (50, 50)
    assert run(plain((50, 80)), transformation="IfOrientation", landscape=rotate).size == (50, 80)


def test_variables_resolve_anywhere_a_value_may_be():
    inputs = RenderInputs({"w": "50", "g": "East", "c": "#0000ff"}, {})
    out = run(
        halves(), inputs, transformation="Crop", width={"var": "w"}, height=10, gravity={"var": "g"}
    )
    assert out.size == (50, 10) and out.getpixel((1, 1)) == BLUE
    with pytest.raises(VariableError):
        run(halves(), RenderInputs({"w": "wide"}, {}), transformation="Resize", width={"var": "w"})


def test_policy_order_transformations_breakpoint_then_post_breakpoint():
    policy = {
        "breakpoints": {"widths": [50, 100]},
        "transformations": [
            {"transformation": "Crop", "width": 100, "height": 100, "gravity": "East"}
        ],
        "postBreakpointTransformations": [{"transformation": "Crop", "width": 10, "height": 10}],
    }
    out = apply_policy(halves().convert("RGB"), policy, 50, NONE)
    assert out.size == (10, 10) and out.getpixel((1, 1)) == BLUE
    assert (
        apply_policy(plain((4000, 10)), {}, 0, NONE).width == 4000
    )  # largest .auto breakpoint 5000
    with pytest.raises(TransformError):
        apply_policy(halves(), {"transformations": [{"transformation": "Crop", "width": 5, "height": 5,
                                                     "xPosition": 900}]}, 0, NONE)  # fmt: skip
