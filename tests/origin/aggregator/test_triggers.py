"""Which pack and config changes invalidate (seed 001's triggers)."""

import json

from origin.aggregator.triggers import config_trigger, pack_reasons, pack_trigger


def image(**doc):  # type: ignore[no-untyped-def]
    return {"tenant": "t", "id": "p", "doc": json.dumps(doc)}


MAIN_A = {"main": {"imageId": "a" * 24}}


def test_replacing_an_original_is_a_trigger():
    assert pack_reasons(
        image(imageLocations=MAIN_A), image(imageLocations={"main": {"imageId": "b" * 24}})
    ) == ("original",)


def test_a_first_upload_into_a_location_is_an_image_locations_change():
    assert pack_reasons(image(), image(imageLocations=MAIN_A)) == ("imageLocations",)


def test_crop_change_is_an_image_locations_change():
    cropped = {"main": {"imageId": "a" * 24, "cropInfo": {"topLeftX": 0.1}}}
    assert pack_reasons(image(imageLocations=MAIN_A), image(imageLocations=cropped)) == (
        "imageLocations",
    )


def test_main_image_location_change_is_a_trigger():
    assert pack_reasons(image(mainImageLocation="main"), image(mainImageLocation="thumb")) == (
        "mainImageLocation",
    )


def test_asset_id_or_sequence_changes_are_not_triggers():
    before = image(imageLocations=MAIN_A, assetId="x", sequenceNumber=1)
    after = image(imageLocations=MAIN_A, assetId="y", sequenceNumber=2)
    assert pack_reasons(before, after) == ()


def test_creating_an_empty_pack_is_not_a_trigger_but_removing_one_is():
    assert pack_reasons(None, image()) == ()
    assert pack_reasons(image(imageLocations=MAIN_A), None) == ("removed",)


def test_pack_trigger_carries_tenant_and_pack():
    record = {
        "keys": {"tenant": "t", "id": "p"},
        "old": image(),
        "new": image(imageLocations=MAIN_A),
    }
    trigger = pack_trigger(record)
    assert trigger is not None and (trigger.tenant, trigger.pack) == ("t", "p")


def test_only_forced_config_writes_and_removals_trigger_the_tenant():
    keys = {"tenant": "t", "id": "thumb"}
    assert config_trigger({"keys": keys, "old": None, "new": {"forced": False}}) is None
    assert config_trigger({"keys": keys, "old": {}, "new": {"forced": True}}) is not None
    assert config_trigger({"keys": keys, "old": {"forced": False}, "new": None}) is not None


def config(forced: bool = False, **doc):  # type: ignore[no-untyped-def]
    return {
        "tenant": "t",
        "id": "cover",
        "doc": json.dumps({"name": "cover", **doc}),
        "forced": forced,
    }


def test_a_fallback_change_is_reported_as_its_own_cause():
    keys = {"tenant": "t", "id": "cover"}
    for before, after in (("thumb", "square"), (None, "main"), ("main", None)):
        record = {
            "keys": keys,
            "old": config(width=10, **({"fallback": before} if before else {})),
            "new": config(width=10, **({"fallback": after} if after else {})),
        }
        trigger = config_trigger(record)
        assert trigger is not None and trigger.cause == "fallback"
        assert (trigger.tenant, trigger.location, trigger.fallback) == (
            "t",
            "cover",
            (before, after),
        )


def test_a_label_change_or_a_new_location_with_a_fallback_is_no_trigger():
    keys = {"tenant": "t", "id": "cover"}
    same = {"keys": keys, "old": config(fallback="main"), "new": config(fallback="main", label="x")}
    assert config_trigger(same) is None
    assert config_trigger({"keys": keys, "old": None, "new": config(fallback="main")}) is None


def test_a_forced_change_of_size_and_fallback_is_a_forced_trigger():
    record = {
        "keys": {"tenant": "t", "id": "cover"},
        "old": config(width=10, fallback="thumb"),
        "new": config(True, width=20, fallback="square"),
    }
    trigger = config_trigger(record)
    assert trigger is not None and trigger.cause == "forced"
