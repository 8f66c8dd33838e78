"""Blend layers sized and placed as imgix documents: natural size centred by default,
blend-w/h with blend-fit, blend-size=inherit, align/pad, x/y, alpha, colours."""

from __future__ import annotations

import io

from PIL import Image

from vendors.imgix.layers import blend, blend_layer
from vendors.imgix.pipeline import render

WHITE, BLACK, RED, BLUE = (255, 255, 255), (0, 0, 0), (255, 0, 0), (0, 0, 255)


def _png(size: tuple[int, int], colour: tuple[int, int, int]) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, colour).save(out, "PNG")
    return out.getvalue()


def _black_box(image: Image.Image) -> tuple[int, int, int, int] | None:
    """Bounding box of the black pixels."""
    mask = image.convert("L").point(lambda v: 255 if v == 0 else 0)
    return mask.getbbox()


def _px(image: Image.Image, x: int, y: int) -> tuple[int, ...]:
    pixel = image.getpixel((x, y))
    assert isinstance(pixel, tuple)
    return pixel


def _normal(**extra: str) -> dict[str, str]:
    return {"blend-mode": "normal", **extra}


def test_an_image_layer_keeps_its_size_and_is_centred_by_default() -> None:
    layer = blend_layer((100, 50), Image.new("RGB", (20, 10), BLACK), {})
    assert layer.getchannel("A").getbbox() == (40, 20, 60, 30)  # transparent elsewhere


def test_align_pad_and_x_y_place_the_layer() -> None:
    sub = Image.new("RGB", (20, 10), BLACK)
    cases = {
        (("blend-align", "top,left"), ("blend-pad", "5")): (5, 5, 25, 15),
        (("blend-align", "bottom,right"),): (80, 40, 100, 50),
        (("blend-x", "70"), ("blend-y", "3")): (70, 3, 90, 13),
        (("blend-align", "top,left"), ("blend-pad", "5"), ("blend-x", "30")): (30, 5, 50, 15),
        (("blend-x", "90"),): (90, 20, 100, 30),  # clipped at the edge
    }
    for params, box in cases.items():
        out = blend(Image.new("RGB", (100, 50), WHITE), sub, _normal(**dict(params)))
        assert _black_box(out) == box, params


def test_blend_w_and_h_size_the_layer_by_blend_fit() -> None:
    sub = Image.new("RGB", (20, 10), BLACK)
    base = (100, 50)
    sizes = {
        (("blend-w", "0.5"),): (50, 25),  # a fraction of the base, aspect kept
        (("blend-w", "40"), ("blend-h", "40")): (40, 20),  # clip: within the box
        (("blend-w", "40"), ("blend-h", "40"), ("blend-fit", "scale")): (40, 40),
        (("blend-w", "40"), ("blend-h", "40"), ("blend-fit", "crop")): (40, 40),
        (("blend-w", "40"), ("blend-h", "40"), ("blend-fit", "max")): (20, 10),  # never enlarged
        (("blend-size", "inherit"),): (100, 50),
    }
    for params, (w, h) in sizes.items():
        layer = blend_layer(base, sub, dict(params))
        box = layer.getchannel("A").getbbox()
        assert box is not None and (box[2] - box[0], box[3] - box[1]) == (w, h), params


def test_blend_fit_clamp_stretches_the_edge_pixels_to_fill_the_box() -> None:
    sub = Image.new("RGB", (20, 10), RED)
    sub.paste(Image.new("RGB", (10, 10), BLUE), (10, 0))  # left half red, right half blue
    layer = blend_layer((100, 100), sub, {"blend-w": "40", "blend-h": "40", "blend-fit": "clamp"})
    assert layer.getchannel("A").getbbox() == (30, 30, 70, 70)  # the whole 40×40 box
    assert _px(layer, 31, 31)[:3] == RED and _px(layer, 68, 68)[:3] == BLUE  # rows extended


def test_blend_alpha_and_the_layers_own_alpha_fade_it() -> None:
    sub = Image.new("RGBA", (100, 50), (0, 0, 0, 255))
    out = blend(Image.new("RGB", (100, 50), WHITE), sub, _normal(**{"blend-alpha": "50"}))
    assert abs(_px(out, 10, 10)[0] - 128) <= 1
    half = Image.new("RGBA", (100, 50), (0, 0, 0, 128))
    out = blend(Image.new("RGB", (100, 50), WHITE), half, _normal())
    assert abs(_px(out, 10, 10)[0] - 127) <= 1


def test_a_colour_covers_the_whole_image_and_the_default_mode_is_overlay() -> None:
    base = _png((40, 20), (200, 100, 50))
    multiplied = Image.open(
        io.BytesIO(render(base, {"blend": "808080", "blend-mode": "multiply"}).body)
    )
    assert multiplied.convert("RGB").getpixel((0, 0)) == (100, 50, 25)
    assert multiplied.convert("RGB").getpixel((39, 19)) == (100, 50, 25)
    by_param = render(base, {"blend-color": "808080", "blend-mode": "multiply"}).body
    assert Image.open(io.BytesIO(by_param)).convert("RGB").getpixel((5, 5)) == (100, 50, 25)
    overlay = Image.open(io.BytesIO(render(base, {"blend": "000000"}).body)).convert("RGB")
    assert overlay.getpixel((5, 5)) == (145, 0, 0)  # overlay with black: 255 − 2·55·255/255; 0; 0
    faded = render(base, {"blend": "80000000", "blend-mode": "normal"}).body  # AARRGGBB: half black
    assert abs(_px(Image.open(io.BytesIO(faded)).convert("RGB"), 5, 5)[0] - 100) <= 1
