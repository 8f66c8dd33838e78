"""A source's ``default_params`` take every parameter imgix documents (seed 004: "All
keys/values must be valid imgix params/values"): stored as given, rendered when this edge
renders them, ignored otherwise; aliases stand for their parameters."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.vendors.imgix.conftest import Stack, decoded, image_bytes
from vendors.imgix.param_catalogue import ALIASES, CATALOGUE, Documented
from vendors.imgix.params import CHECKS, IGNORED, InvalidParam, check_default_params, normalise

README = Path(__file__).resolve().parents[3] / "README.md"


def a_value(entry: Documented) -> str:
    if entry.values:
        return min(entry.values)
    return {"number": "10", "colour": "ff0000", "text": "x"}[entry.kind]


def test_every_documented_parameter_and_alias_is_accepted_and_stored_as_given() -> None:
    defaults = {name: a_value(entry) for name, entry in CATALOGUE.items() if name not in CHECKS}
    assert check_default_params(defaults) == defaults
    for alias, name in ALIASES.items():
        value = a_value(CATALOGUE[name])
        if name in CHECKS and CHECKS[name](value) is None:
            continue  # e.g. blend=x: not a colour or URL, refused like its parameter
        assert alias in check_default_params({alias: value}), alias


def test_the_catalogue_holds_everything_this_edge_renders() -> None:
    assert set(CHECKS) <= set(CATALOGUE)
    assert all(alias not in CATALOGUE and name in CATALOGUE for alias, name in ALIASES.items())


@pytest.mark.parametrize(
    "defaults",
    [
        {"nope": "1"},  # not an imgix parameter
        {"w": "wide"},  # rendered here, and not a width
        {"fm": "bmp"},  # no such output format
        {"flip": "x"},  # a closed set: h, v, hv
        {"blur": "lots"},  # a number
        {"txt-color": "not a colour!"},
        {"txt": "a\nb"},  # not printable
        {"bri": True},
        {"bri": None},
    ],
)
def test_values_imgix_would_not_take_are_refused(defaults: dict[str, object]) -> None:
    with pytest.raises(InvalidParam):
        check_default_params(defaults)


def test_unrendered_parameters_and_values_are_ignored_at_render_time() -> None:
    stored = check_default_params({"fm": "json", "txt": "Hello", "bri": -20, "w": 300})
    assert stored == {"fm": "json", "txt": "Hello", "bri": "-20", "w": "300"}
    assert normalise([], stored) == {"w": "300"}
    assert normalise([("width", "120"), ("bm", "multiply")], stored) == {
        "w": "120",
        "blend-mode": "multiply",
    }


def test_the_readme_lists_every_ignored_parameter() -> None:
    text = README.read_text(encoding="utf-8")
    section = text[text.index("<!-- imgix-ignored -->") : text.index("<!-- /imgix-ignored -->")]
    missing = [name for name in sorted(IGNORED) if f"`{name}`" not in section]
    assert not missing, f"README does not list: {missing}"


async def test_a_source_stores_unrendered_defaults_and_serves_without_them(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    defaults = {"w": 80, "txt": "Hello", "txt-size": 40, "sepia": 50, "fit": "facearea"}
    source_id = await stack.create_source(default_params=defaults)
    status, doc = await stack.call("GET", f"/api/v1/sources/{source_id}")
    assert status == 200
    assert doc["data"]["attributes"]["deployment"]["default_params"] == {
        "w": "80",
        "txt": "Hello",
        "txt-size": "40",
        "sepia": "50",
        "fit": "facearea",
    }
    status, body, _ = await stack.get("/cat.png")
    assert status == 200 and decoded(body).size == (80, 40)  # w rendered, the rest ignored
    status, doc = await stack.call(
        "PATCH",
        f"/api/v1/sources/{source_id}",
        body={
            "data": {
                "type": "sources",
                "id": source_id,
                "attributes": {"deployment": {"default_params": {"flip": "sideways"}}},
            }
        },
    )
    assert status == 400 and doc["errors"][0]["meta"]["rule"] == "default-params"


async def test_aliases_in_viewer_urls_render_as_their_parameters(stack: Stack) -> None:
    stack.folder.put("/images/cat.png", image_bytes((200, 100)))
    await stack.create_source()
    _, body, _ = await stack.get("/cat.png?width=50")
    assert decoded(body).size == (50, 25)
    _, again, headers = await stack.get("/cat.png?w=50")
    assert again == body and "hit" in headers["Cache-Status"]  # one key for both spellings
