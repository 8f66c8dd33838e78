"""Client query parameters: every value parsed, every bad one refused naming the parameter."""

from __future__ import annotations

import pytest
from multidict import MultiDict

from common.errors import NotFound, Unprocessable
from origin.serving.params import ClientRequest, pack_id_of, parse_query

ID = "0123456789abcdef01234567"


def parse(*pairs: tuple[str, str], max_dimension: int = 4096) -> ClientRequest:
    return parse_query(MultiDict(pairs), max_dimension)


def test_no_parameters_leave_every_decision_to_resolution() -> None:
    assert parse() == ClientRequest()


def test_every_parameter_is_parsed() -> None:
    request = parse(
        ("location", "poster"),
        ("width", "300"),
        ("height", "0200"),
        ("location-ratio", "true"),
        ("resize-mode", "includeAll"),
        ("resize-gravity", "northwest"),
        ("rounded-corners", "12"),
        ("skip-crop", "true"),
        ("format", "webp"),
        ("region", "nordic"),
    )
    assert request == ClientRequest(
        "poster", 300, 200, True, "includeAll", "northwest", 12, True, "webp", "nordic"
    )


def test_jpg_is_jpeg() -> None:
    assert parse(("format", "jpg")).format == "jpeg"


def test_date_and_unknown_parameters_change_nothing() -> None:
    assert parse(("date", "whatever!%$"), ("foo", "bar"), ("width", "10")) == parse(("width", "10"))


def test_false_booleans_are_false() -> None:
    request = parse(("location-ratio", "false"), ("skip-crop", "false"))
    assert request.location_ratio is False and request.skip_crop is False


def test_limits_follow_max_dimension() -> None:
    assert parse(("width", "4096")).width == 4096
    assert parse(("rounded-corners", "2048")).rounded_corners == 2048
    with pytest.raises(Unprocessable):
        parse(("width", "101"), max_dimension=100)


BAD_VALUES = [
    ("width", "0"),
    ("width", "4097"),
    ("width", "-5"),
    ("width", "1.5"),
    ("width", "abc"),
    ("width", ""),
    ("width", " 10"),
    ("width", "9" * 1000),
    ("height", "0"),
    ("height", "99999"),
    ("height", "0x10"),
    ("rounded-corners", "-1"),
    ("rounded-corners", "2049"),
    ("rounded-corners", "round"),
    ("location-ratio", "yes"),
    ("location-ratio", "True"),
    ("skip-crop", "1"),
    ("skip-crop", ""),
    ("resize-mode", "fill"),
    ("resize-mode", "includeall"),
    ("resize-gravity", "up"),
    ("resize-gravity", "CENTER"),
    ("format", "gif"),
    ("format", "JPEG"),
    ("location", ""),
    ("location", "has space"),
    ("location", "../etc"),
    ("location", "x" * 65),
    ("region", "a/b"),
    ("region", ""),
]


@pytest.mark.parametrize(("name", "value"), BAD_VALUES)
def test_a_bad_value_is_refused_naming_its_parameter(name: str, value: str) -> None:
    with pytest.raises(Unprocessable) as caught:
        parse((name, value))
    body = caught.value.body()
    assert body["status"] == 422
    assert body["code"] == "invalid_parameter"
    assert body["parameter"] == name
    assert name in body["message"]


def test_a_parameter_given_twice_is_refused() -> None:
    with pytest.raises(Unprocessable) as caught:
        parse(("width", "10"), ("width", "20"))
    assert caught.value.body()["parameter"] == "width"


def test_the_first_bad_parameter_is_named_whatever_follows() -> None:
    with pytest.raises(Unprocessable) as caught:
        parse(("height", "0"), ("format", "gif"))
    assert caught.value.body()["parameter"] == "height"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [(ID, ID), (f"{ID}-1700000000", ID), (f"{ID}-", ID), (f"{ID}-x", ID)],
)
def test_everything_after_the_last_dash_is_a_cache_buster(raw: str, expected: str) -> None:
    assert pack_id_of(raw) == expected


@pytest.mark.parametrize(
    "raw", ["nope", ID.upper(), f"{ID}0", f"{ID}-a-b", f"x-{ID}", "", f"{ID[:-1]}-1"]
)
def test_an_id_that_is_no_pack_id_without_its_suffix_is_not_found(raw: str) -> None:
    with pytest.raises(NotFound):
        pack_id_of(raw)
