"""Every JSON example of the Image Manager seed (``shared/spec/seeds/003_…``), one file each,
verbatim (the seed's text between its braces), and where in the seed each comes from. The
tests in ``test_seed_examples*.py`` send each request example as written and compare each
response example with what we answer, in shape (:func:`conforms`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent
SEED_NAME = "003_f6475f59cd5bedf4.txt"

# file → (seed section, what the example is, the seed's lines)
EXAMPLES: dict[str, tuple[str, str, str]] = {
    "00_list_policies.response.json": ("List policies", "200 response body", "155-166"),
    "01_get_a_policy.response.json": ("Get a policy", "200 response body", "187-209"),
    "02_create_or_modify_a_policy.request.json": ("Create or modify a policy", "request body", "232-240"),
    "03_create_or_modify_a_policy.response.json": ("Create or modify a policy", "200 response body", "249-253"),
    "04_remove_a_policy.response.json": ("Remove a policy", "200 response body", "283-287"),
    "05_get_policy_history.response.json": ("Get policy history", "200 response body", "311-323"),
    "06_list_images.response.json": ("List images", "200 response body", "351-371"),
    "07_get_an_image.response.json": ("Get an image", "200 response body", "401-415"),
    "08_list_image_collections.response.json": ("List image collections", "200 response body", "438-483"),
    "09_create_a_new_image_collection.request.json": (
        "Create a new image collection", "request body (printed as the Acknowledgement)", "500-504"),
    "10_create_a_new_image_collection.response.json": (
        "Create a new image collection", "200 response body", "510-514"),
    "11_get_an_image_collection.response.json": ("Get an image collection", "200 response body", "543-566"),
    "12_update_an_image_collection.request.json": (
        "Update an image collection", "request body (printed as the Acknowledgement)", "585-589"),
    "13_update_an_image_collection.response.json": ("Update an image collection", "200 response body", "598-602"),
    "14_delete_an_image_collection.response.json": ("Delete an image collection", "200 response body", "627-631"),
    "15_get_image_collection_history.response.json": (
        "Get image collection history", "200 response body", "654-699"),
    "16_policy.sample.json": ("Data: Policy", "sample GET response", "727-749"),
    "17_image.sample.json": ("Data: Image", "sample GET response", "789-803"),
    "18_imagecollection.sample.json": ("Data: ImageCollection", "sample GET response (an images listing)", "822-857"),
    "19_history.sample.json": ("Data: History", "sample GET response", "901-913"),
    "20_acknowledgement.sample.json": ("Data: Acknowledgement", "sample DELETE response", "937-941"),
    "21_backgroundcolor.sample.json": ("Data: Transformation: BackgroundColor", "sample", "1000-1003"),
    "22_composite.sample.json": ("Data: Transformation: Composite", "sample", "1033-1058"),
    "23_compound.sample.json": ("Data: Transformation: Compound", "sample", "1090-1102"),
    "24_crop.sample.json": ("Data: Transformation: Crop", "sample", "1118-1125"),
    "25_grayscale.sample.json": ("Data: Transformation: Grayscale", "sample", "1168-1171"),
    "26_hsl.sample.json": ("Data: Transformation: Hsl", "sample", "1188-1193"),
    "27_maxcolors.sample.json": ("Data: Transformation: MaxColors", "sample", "1214-1217"),
    "28_opacity.sample.json": ("Data: Transformation: Opacity", "sample", "1234-1237"),
    "29_resize.sample.json": ("Data: Transformation: Resize", "sample", "1254-1260"),
    "30_rotate.sample.json": ("Data: Transformation: Rotate", "sample", "1283-1286"),
    "31_scale.sample.json": ("Data: Transformation: Scale", "sample", "1303-1307"),
    "32_shear.sample.json": ("Data: Transformation: Shear", "sample", "1326-1330"),
    "33_errors.sample.json": ("Errors", "error response", "1426-1432"),
}  # fmt: skip
# Objects whose keys are data (policy ids, widths): each value has the sample's shape.
_MAPS = frozenset({"policies", "sizes"})


def text(name: str) -> str:
    return (HERE / name).read_text()


def example(name: str) -> Any:
    assert name in EXAMPLES, name
    return json.loads(text(name))


def seed_file() -> Path | None:
    """The seed, where the repository sits beside ``shared/`` (None elsewhere)."""
    for parent in HERE.parents:
        candidate = parent.parent / "shared" / "spec" / "seeds" / SEED_NAME
        if candidate.is_file():
            return candidate
    return None


def _kind(value: Any) -> str:
    if isinstance(value, bool) or value is None:
        return repr(value) if value is None else "boolean"
    if isinstance(value, int | float):
        return "number"
    return type(value).__name__


def conforms(sample: Any, ours: Any, where: str = "$") -> None:
    """``ours`` has the sample's shape: every member the sample has, of the same JSON
    type, recursively (ours may have more); an array's every item is shaped like one of the
    sample's items, and is not empty where the sample is not."""
    assert _kind(ours) == _kind(sample), (
        f"{where}: {_kind(ours)} where the seed has {_kind(sample)}"
    )
    if isinstance(sample, dict):
        if where.rsplit(".", 1)[-1] in _MAPS and sample:
            template = next(iter(sample.values()))
            assert ours, f"{where}: empty where the seed has entries"
            for key, value in ours.items():
                conforms(template, value, f"{where}.{key}")
            return
        for key, value in sample.items():
            assert key in ours, f"{where}: no member {key!r}"
            conforms(value, ours[key], f"{where}.{key}")
    elif isinstance(sample, list) and sample:
        assert ours, f"{where}: empty where the seed has items"
        for index, item in enumerate(ours):
            _conforms_to_one(sample, item, f"{where}[{index}]")


def _conforms_to_one(samples: list[Any], ours: Any, where: str) -> None:
    failures = []
    for sample in samples:
        try:
            conforms(sample, ours, where)
            return
        except AssertionError as failure:
            failures.append(str(failure))
    raise AssertionError(failures[0])
