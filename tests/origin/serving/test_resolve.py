"""Resolution rules: which image answers, the box, include-all, gravity, crop and format."""

from __future__ import annotations

from dataclasses import replace

import pytest

from common.errors import Unprocessable
from origin.imaging.spec import RenderSpec
from origin.models.documents import CropInfo, ImagePack, LocationConfig, PackLocation, RegionImage
from origin.serving.params import ClientRequest
from origin.serving.resolve import (
    Source,
    VariantPlan,
    next_fallback,
    pick_source,
    plan_variant,
    render_spec,
)
from origin.settings import TenantSettings

PACK_ID = "0123456789abcdef01234567"
CROP = CropInfo(0.1, 0.2, 0.6, 0.7)


def img(n: int) -> str:
    return f"{n:024x}"


def pack(**locations: PackLocation) -> ImagePack:
    return ImagePack(PACK_ID, "demo", image_locations=locations)


NO_REQUEST = ClientRequest()
THUMB = LocationConfig("thumb", width=100, height=50)
DEMO = TenantSettings("demo")
THUMB_SOURCE = Source("thumb", None, img(1), None)


def plan(
    request: ClientRequest = NO_REQUEST,
    *,
    the_pack: ImagePack | None = None,
    config: LocationConfig | None = THUMB,
    tenant: TenantSettings = DEMO,
    source: Source = THUMB_SOURCE,
    max_dimension: int = 4096,
) -> VariantPlan:
    the_pack = the_pack or pack(thumb=PackLocation(img(1)))
    return plan_variant(request, the_pack, "thumb", config, source, tenant, max_dimension)


# -- which image ---------------------------------------------------------------------
def test_the_requested_location_answers_when_it_has_an_image() -> None:
    p = pack(thumb=PackLocation(img(1), crop_info=CROP), main=PackLocation(img(2)))
    assert pick_source(p, ["thumb"], None) == Source("thumb", None, img(1), (0.1, 0.2, 0.6, 0.7))


def test_a_region_image_wins_over_the_default_image_of_the_same_location() -> None:
    p = pack(thumb=PackLocation(img(1), regions={"nordic": RegionImage(img(3))}))
    assert pick_source(p, ["thumb"], "nordic") == Source("thumb", "nordic", img(3), None)


def test_a_region_without_its_own_image_falls_back_to_the_default_image() -> None:
    p = pack(thumb=PackLocation(img(1), regions={"nordic": RegionImage(img(3))}))
    assert pick_source(p, ["thumb"], "iberia") == Source("thumb", None, img(1), None)


def test_a_region_image_keeps_its_own_crop_not_the_locations() -> None:
    p = pack(thumb=PackLocation(img(1), crop_info=CROP, regions={"nordic": RegionImage(img(3))}))
    assert pick_source(p, ["thumb"], "nordic") == Source("thumb", "nordic", img(3), None)


def test_the_fallback_chain_is_followed_in_order_before_the_main_location() -> None:
    p = pack(second=PackLocation(img(2)), third=PackLocation(img(3)), main=PackLocation(img(9)))
    assert pick_source(p, ["thumb", "second", "third"], None).location == "second"  # type: ignore[union-attr]
    assert pick_source(p, ["thumb", "missing"], None).location == "main"  # type: ignore[union-attr]


def test_a_region_image_further_down_the_chain_wins_over_a_later_default() -> None:
    p = pack(
        second=PackLocation(regions={"nordic": RegionImage(img(4))}), main=PackLocation(img(9))
    )
    assert pick_source(p, ["thumb", "second"], "nordic") == Source("second", "nordic", img(4), None)


def test_no_image_anywhere_is_none() -> None:
    p = pack(thumb=PackLocation(crop_info=CROP))
    assert pick_source(p, ["thumb", "other"], "nordic") is None


def test_the_pack_main_location_is_its_mainImageLocation() -> None:
    p = replace(pack(poster=PackLocation(img(5))), main_image_location="poster")
    assert pick_source(p, ["thumb"], None) == Source("poster", None, img(5), None)


def test_a_fallback_chain_stops_at_its_end_and_at_a_loop() -> None:
    assert next_fallback(LocationConfig("a", width=1, fallback="b"), ["a"]) == "b"
    assert next_fallback(LocationConfig("b", width=1, fallback="a"), ["a", "b"]) is None
    assert next_fallback(LocationConfig("a", width=1), ["a"]) is None
    assert next_fallback(None, ["a"]) is None


# -- the box -------------------------------------------------------------------------
def test_both_sizes_given_make_the_box() -> None:
    result = plan(ClientRequest(width=30, height=40))
    assert (result.width, result.height) == (30, 40)


def test_one_size_given_leaves_the_other_to_the_source_aspect() -> None:
    assert (plan(ClientRequest(width=30)).width, plan(ClientRequest(width=30)).height) == (30, None)
    assert (plan(ClientRequest(height=30)).width, plan(ClientRequest(height=30)).height) == (
        None,
        30,
    )


def test_location_ratio_derives_the_other_size_from_the_location_config() -> None:
    result = plan(ClientRequest(width=300, location_ratio=True))
    assert (result.width, result.height) == (300, 150)
    result = plan(ClientRequest(height=25, location_ratio=True))
    assert (result.width, result.height) == (50, 25)


def test_location_ratio_without_a_two_sided_config_follows_the_source() -> None:
    result = plan(
        ClientRequest(width=300, location_ratio=True), config=LocationConfig("thumb", width=100)
    )
    assert (result.width, result.height) == (300, None)


def test_location_ratio_over_the_limit_is_refused_naming_the_given_size() -> None:
    with pytest.raises(Unprocessable) as caught:
        plan(ClientRequest(height=4000, location_ratio=True))
    assert caught.value.body()["parameter"] == "height"


def test_no_size_given_uses_the_location_config() -> None:
    result = plan()
    assert (result.width, result.height) == (100, 50)
    result = plan(config=LocationConfig("thumb", height=80))
    assert (result.width, result.height) == (None, 80)


def test_a_configured_box_over_the_limit_is_refused_naming_the_location() -> None:
    with pytest.raises(Unprocessable) as caught:
        plan(config=LocationConfig("thumb", width=5000, height=10))
    assert caught.value.body()["parameter"] == "location"


# -- include-all and gravity ------------------------------------------------------------
@pytest.mark.parametrize(
    ("pack_location", "pack_level", "config_level", "tenant_level", "client", "expected"),
    [
        ("TRUE", "FALSE", "FALSE", "FALSE", "crop", "includeAll"),
        ("FALSE", "TRUE", "TRUE", "TRUE", "includeAll", "crop"),
        ("UNSET", "TRUE", "FALSE", "FALSE", "crop", "includeAll"),
        (None, None, "TRUE", "FALSE", "crop", "includeAll"),
        (None, "UNSET", "UNSET", "FALSE", "includeAll", "crop"),
        (None, None, "UNSET", "UNSET", "includeAll", "includeAll"),
        (None, None, "UNSET", "UNSET", None, "crop"),
    ],
)
def test_use_resize_include_all_first_set_value_decides_else_the_client(
    pack_location: str | None,
    pack_level: str | None,
    config_level: str,
    tenant_level: str,
    client: str | None,
    expected: str,
) -> None:
    p = replace(
        pack(thumb=PackLocation(img(1), use_resize_include_all=pack_location)),
        use_resize_include_all=pack_level,
    )
    config = LocationConfig("thumb", width=10, height=10, use_resize_include_all=config_level)
    tenant = TenantSettings("demo", use_resize_include_all=tenant_level)
    assert (
        plan(ClientRequest(resize_mode=client), the_pack=p, config=config, tenant=tenant).mode
        == expected
    )


def test_gravity_lookup_order_is_pack_location_pack_config_tenant() -> None:
    config = LocationConfig("thumb", width=10, height=10, resize_gravity="east")
    tenant = TenantSettings("demo", resize_gravity="south")
    full = replace(pack(thumb=PackLocation(img(1), resize_gravity="north")), resize_gravity="west")
    assert plan(the_pack=full, config=config, tenant=tenant).gravity == "north"
    assert (
        plan(
            the_pack=replace(full, image_locations={"thumb": PackLocation(img(1))}), config=config
        ).gravity
        == "west"
    )
    assert plan(config=config, tenant=tenant).gravity == "east"
    assert plan(config=None, tenant=tenant).gravity == "south"


def test_a_client_gravity_wins_over_every_configured_one() -> None:
    full = replace(pack(thumb=PackLocation(img(1), resize_gravity="north")), resize_gravity="west")
    assert plan(ClientRequest(resize_gravity="southeast"), the_pack=full).gravity == "southeast"


def test_mode_and_gravity_come_from_the_requested_location_not_the_fallback() -> None:
    p = pack(
        thumb=PackLocation(resize_gravity="north"),
        main=PackLocation(img(2), resize_gravity="south"),
    )
    assert plan(the_pack=p, source=Source("main", None, img(2), None)).gravity == "north"


# -- crop and format -----------------------------------------------------------------
def test_crop_comes_from_the_source_unless_skip_crop() -> None:
    source = Source("thumb", None, img(1), (0.1, 0.2, 0.6, 0.7))
    assert plan(source=source).crop == (0.1, 0.2, 0.6, 0.7)
    assert plan(ClientRequest(skip_crop=True), source=source).crop is None


def test_format_is_the_clients_else_png_when_transparent_else_the_originals() -> None:
    assert plan(ClientRequest(format="webp")).format == "webp"
    assert plan(ClientRequest(resize_mode="includeAll")).format == "png"
    assert plan(ClientRequest(rounded_corners=4)).format == "png"
    assert plan(ClientRequest(format="jpeg", rounded_corners=4)).format == "jpeg"
    assert plan().format == "auto"


# -- the render spec from the original's header --------------------------------------------
def spec_for(
    the_plan: VariantPlan, size: tuple[int, int] = (400, 200), fmt: str = "png"
) -> RenderSpec:
    return render_spec(the_plan, size, fmt, 4096, 4096 * 4096)


def test_a_missing_size_follows_the_aspect_of_the_source_after_crop() -> None:
    spec = spec_for(plan(ClientRequest(width=100)))
    assert (spec.width, spec.height) == (100, 50)
    cropped = plan(
        ClientRequest(height=100), source=Source("thumb", None, img(1), (0.0, 0.0, 0.25, 1.0))
    )
    spec = spec_for(cropped)  # the crop is 100x200
    assert (spec.width, spec.height) == (50, 100)


def test_a_derived_size_over_the_limit_is_refused_before_decoding() -> None:
    with pytest.raises(Unprocessable) as caught:
        spec_for(plan(ClientRequest(height=3000)), (4000, 1000))
    assert caught.value.body()["parameter"] == "height"


def test_without_any_box_the_source_size_is_kept_within_the_limit() -> None:
    spec = spec_for(plan(config=None), (400, 200))
    assert (spec.width, spec.height) == (400, 200)
    spec = spec_for(plan(config=None), (8000, 2000))
    assert (spec.width, spec.height) == (4096, 1024)


def test_an_output_over_the_pixel_budget_is_refused_naming_the_box_parameter() -> None:
    budget = 1000 * 1000
    ok = render_spec(plan(ClientRequest(width=1000, height=1000)), (400, 200), "png", 4096, budget)
    assert (ok.width, ok.height) == (1000, 1000)
    for request, parameter in ((ClientRequest(width=1001, height=1000), "width"),
                               (ClientRequest(height=1000), "height")):  # fmt: skip
        with pytest.raises(Unprocessable) as caught:
            render_spec(plan(request), (4000, 2000), "png", 4096, budget)  # 2000x1000 derived
        assert caught.value.body()["parameter"] == parameter
        assert "1000000 pixels" in caught.value.message


def test_without_any_box_the_source_size_is_kept_within_the_pixel_budget() -> None:
    spec = render_spec(plan(config=None), (4000, 3000), "png", 4096, 1_200_000)
    assert (spec.width, spec.height) == (1264, 948)
    assert spec.width * spec.height <= 1_200_000


@pytest.mark.parametrize(
    ("source", "expected"), [("jpeg", "jpeg"), ("png", "png"), ("webp", "webp"), ("gif", "jpeg")]
)
def test_the_originals_format_is_kept_when_nothing_else_decides(source: str, expected: str) -> None:
    assert spec_for(plan(), fmt=source).format == expected
