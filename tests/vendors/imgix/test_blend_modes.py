"""imgix's blend modes on solid colours, against values worked out by hand from the
W3C formulas (channels in 0..1, ×255 and rounded at the end)."""

from __future__ import annotations

import pytest
from PIL import Image

from vendors.imgix.blend_modes import DEFAULT_MODE, MODES, mix
from vendors.imgix.params import normalise

BASE = (200, 100, 50)
GREY = (128, 128, 128)

# base (200, 100, 50) = (.784, .392, .196); layer 128 = .502 in every channel
SEPARABLE = {
    "normal": (128, 128, 128),
    "darken": (128, 100, 50),  # min per channel
    "multiply": (100, 50, 25),  # 200·128/255 = 100.4, 100·128/255 = 50.2, 50·128/255 = 25.1
    "burn": (145, 0, 0),  # 1 − (1 − .784)/.502 = .570; (1 − .392)/.502 > 1 → 0
    "lighten": (200, 128, 128),  # max per channel
    "screen": (228, 178, 153),  # 255 − (55·127)/255 = 227.6, 255 − 155·127/255 = 177.8, …
    "dodge": (255, 201, 100),  # .784/.498 > 1 → 1; .392/.498 = .788; .196/.498 = .394
    "overlay": (200, 100, 50),  # mid grey over anything: unchanged
    "hardlight": (200, 100, 50),  # mid grey as the light: unchanged
    "softlight": (199, 99, 50),
    "difference": (72, 28, 78),  # |200 − 128|, |100 − 128|, |50 − 128|
    "exclusion": (127, 128, 128),  # .784 + .502 − 2·.784·.502 = .499
}

# base pure red (1, 0, 0), layer pure blue (0, 0, 1): Lum(red) = .3, Lum(blue) = .11, Sat = 1
COMPONENT = {
    # SetLum(blue, .3): (.19, .19, 1.19) clipped towards L = .3 by (1 − .3)/(1.19 − .3)
    # → r = g = .3 − .11·.787 = .213 (54), b = 1 (255)
    "hue": (54, 54, 255),
    "color": (54, 54, 255),
    # SetLum(SetSat(red, 1), .3) = red
    "saturation": (255, 0, 0),
    # SetLum(red, .11): (.81, −.19, −.19) clipped up by .11/(.11 + .19) → (.367, 0, 0)
    "luminosity": (94, 0, 0),
}


def _mix(base: tuple[int, int, int], layer: tuple[int, int, int], mode: str) -> tuple[int, ...]:
    out = mix(Image.new("RGB", (3, 2), base), Image.new("RGB", (3, 2), layer), mode)
    assert out.mode == "RGB" and out.size == (3, 2)
    return tuple(out.getpixel((1, 1)))  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", sorted(SEPARABLE))
def test_separable_modes_match_the_hand_worked_values(mode: str) -> None:
    got = _mix(BASE, GREY, mode)
    assert all(abs(g - e) <= 1 for g, e in zip(got, SEPARABLE[mode], strict=True)), (mode, got)


@pytest.mark.parametrize("mode", sorted(COMPONENT))
def test_component_modes_match_the_hand_worked_values(mode: str) -> None:
    got = _mix((255, 0, 0), (0, 0, 255), mode)
    assert all(abs(g - e) <= 1 for g, e in zip(got, COMPONENT[mode], strict=True)), (mode, got)


def test_component_modes_keep_the_base_lightness_or_take_the_layers() -> None:
    # color and hue with a grey layer: a grey as light as the base (Lum .488 → 125)
    assert _mix(BASE, GREY, "color") == (125, 125, 125)
    # luminosity with a grey layer: the base's colour moved to the grey's lightness (+.014)
    assert _mix(BASE, GREY, "luminosity") == (204, 104, 54)


def test_every_documented_mode_is_covered_and_accepted() -> None:
    assert set(MODES) == set(SEPARABLE) | set(COMPONENT)
    assert len(MODES) == 16 and DEFAULT_MODE == "overlay"
    for mode in MODES:
        assert normalise([("blend-mode", mode)], {}) == {"blend-mode": mode}
    assert normalise([("blend-mode", "color-burn")], {}) == {}  # not imgix's name: ignored


def test_black_and_white_layers_behave_as_documented() -> None:
    assert _mix(BASE, (0, 0, 0), "multiply") == (0, 0, 0)  # multiply by black: black
    assert _mix(BASE, (255, 255, 255), "multiply") == BASE  # by white: unchanged
    assert _mix(BASE, (255, 255, 255), "difference") == (55, 155, 205)  # white inverts
    assert _mix(BASE, (0, 0, 0), "exclusion") == BASE  # black: no change
    assert _mix(BASE, (255, 255, 255), "burn") == BASE  # burn with white: no change
    assert _mix(BASE, (0, 0, 0), "dodge") == BASE  # dodge with black: no change
