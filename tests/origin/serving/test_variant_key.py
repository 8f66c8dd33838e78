"""Variant keys: a pack prefix, the requested location next, then the effective parameters."""

from __future__ import annotations

from dataclasses import replace

import pytest

from origin.serving.resolve import Source, VariantPlan
from origin.serving.variant_key import is_variant_key, variant_key, variant_prefix

PACK_ID = "0123456789abcdef01234567"
BASE = VariantPlan(
    source=Source("main", None, "f" * 24, None),
    width=100,
    height=None,
    mode="crop",
    gravity="center",
    crop=None,
    rounded_corners=0,
    format="auto",
)


def key(plan: VariantPlan = BASE, location: str = "thumb") -> str:
    return variant_key("demo", PACK_ID, location, plan)


def test_the_key_lives_under_the_pack_prefix_then_the_requested_location() -> None:
    assert key().startswith(variant_prefix("demo", PACK_ID, "thumb"))
    assert variant_prefix("demo", PACK_ID) == f"demo/{PACK_ID}/"
    assert key().split("/")[2] == "thumb"


def test_the_key_is_a_readable_ordered_encoding() -> None:
    assert (
        key()
        == f"demo/{PACK_ID}/thumb/src=main,reg=-,w=100,h=auto,mode=crop,g=center,crop=none,rc=0,fmt=auto"
    )


@pytest.mark.parametrize(
    "change",
    [
        {"width": 101},
        {"height": 10},
        {"mode": "includeAll"},
        {"gravity": "north"},
        {"crop": (0.0, 0.0, 0.5, 0.5)},
        {"rounded_corners": 3},
        {"format": "png"},
        {"source": Source("poster", None, "f" * 24, None)},
        {"source": Source("main", "nordic", "f" * 24, None)},
    ],
)
def test_every_effective_parameter_changes_the_key(change: dict[str, object]) -> None:
    assert key(replace(BASE, **change)) != key()  # type: ignore[arg-type]


def test_the_image_id_and_the_box_parameter_do_not_enter_the_key() -> None:
    # A replaced original keeps its key: dropping it is the invalidation pipeline's job.
    other = replace(BASE, source=Source("main", None, "e" * 24, None), box_parameter="width")
    assert key(other) == key()


def test_equal_crops_written_differently_share_a_key() -> None:
    a = replace(BASE, crop=(0.1, 0.0, 1.0, 0.5))
    b = replace(BASE, crop=(0.1000000001, 0.0, 1.0000, 0.50))
    assert key(a) == key(b)
    assert "crop=0.1:0:1:0.5" in key(a)


@pytest.mark.parametrize(
    "plan",
    [
        BASE,
        replace(
            BASE,
            crop=(0.25, 0.125, 0.75, 1.0),
            format="webp",
            source=Source("a.b_c-d", "r1", "x", None),
        ),
    ],
)
def test_generated_keys_are_variant_keys(plan: VariantPlan) -> None:
    assert is_variant_key(key(plan))


@pytest.mark.parametrize(
    "candidate",
    [
        "",
        f"demo/{PACK_ID}/thumb/",
        f"demo/{PACK_ID}/../src=main,reg=-,w=1,h=1,mode=crop,g=center,crop=none,rc=0,fmt=png",
        f"demo/{PACK_ID}/thumb/src=main,reg=-,w=1,h=1,mode=crop,g=center,crop=none,rc=0,fmt=png/x",
        f"Demo/{PACK_ID}/thumb/src=main,reg=-,w=1,h=1,mode=crop,g=center,crop=none,rc=0,fmt=png",
        f"demo/{PACK_ID}/thumb/src=main,reg=-,w=1,h=1,mode=crop,g=center,crop=none,rc=0,fmt=exe",
    ],
)
def test_anything_else_is_not_a_variant_key(candidate: str) -> None:
    assert not is_variant_key(candidate)
