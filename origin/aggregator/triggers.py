"""Which stream records invalidate what (pure; seed 001 and spec "Invalidation").

A pack is invalidated when its ``imageLocations`` changed (crop, overrides, a location
added or removed), its ``mainImageLocation`` changed, or an original was replaced —
an ``imageId`` is part of ``imageLocations``, so the last is a case of the first but is
named on its own in events. Other metadata (``assetId``, …) never invalidates. A
forced location-config change (or a removal) invalidates every pack of the tenant.

A change of a location's ``fallback`` needs no ``force`` (seed 002 lists only the size and
resize fields) and the seeds name no trigger for it, so POPs keep the old fallback's image
until their TTL. :func:`config_trigger` still reports it (``cause="fallback"``): whether it
invalidates is the aggregator's setting (``invalidate_on_fallback_change``, off by default).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

ConfigCause = Literal["forced", "removed", "fallback"]


@dataclass(frozen=True)
class PackTrigger:
    tenant: str
    pack: str
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class TenantTrigger:
    """Every pack of ``tenant``: a location config changed in a way that changes what
    its URLs serve. ``fallback``: the old and new fallback (``cause="fallback"`` only)."""

    tenant: str
    location: str
    cause: ConfigCause = "forced"
    fallback: tuple[str | None, str | None] | None = None


def _doc(image: dict[str, Any] | None) -> dict[str, Any]:
    if not image or "doc" not in image:
        return {}
    try:
        return json.loads(image["doc"])
    except (TypeError, ValueError):
        return {}


def _image_ids(doc: dict[str, Any]) -> dict[str, str]:
    ids: dict[str, str] = {}
    for name, location in (doc.get("imageLocations") or {}).items():
        if location.get("imageId"):
            ids[name] = location["imageId"]
        for region, image in (location.get("regions") or {}).items():
            if image.get("imageId"):
                ids[f"{name}/{region}"] = image["imageId"]
    return ids


def pack_reasons(old: dict[str, Any] | None, new: dict[str, Any] | None) -> tuple[str, ...]:
    """Why a change from ``old`` to ``new`` (stream images, ``None`` when absent)
    invalidates the pack; empty when it does not."""
    before, after = _doc(old), _doc(new)
    if not after:
        return ("removed",) if before else ()
    reasons = []
    old_ids, new_ids = _image_ids(before), _image_ids(after)
    if any(new_ids.get(slot) != image_id for slot, image_id in old_ids.items()):
        reasons.append("original")
    if _without_ids(before) != _without_ids(after) or new_ids.keys() - old_ids.keys():
        reasons.append("imageLocations")
    if before and before.get("mainImageLocation", "main") != after.get("mainImageLocation", "main"):
        reasons.append("mainImageLocation")
    return tuple(reasons)


def _without_ids(doc: dict[str, Any]) -> dict[str, Any]:
    stripped: dict[str, Any] = {}
    for name, location in (doc.get("imageLocations") or {}).items():
        regions = {
            r: {k: v for k, v in i.items() if k != "imageId"}
            for r, i in (location.get("regions") or {}).items()
        }
        stripped[name] = {k: v for k, v in location.items() if k not in ("imageId", "regions")} | {
            "regions": regions
        }
    return stripped


def pack_trigger(record: dict[str, Any]) -> PackTrigger | None:
    """A trigger from a packs-table stream record (boto3's deserialised form)."""
    keys = record.get("keys") or {}
    reasons = pack_reasons(record.get("old"), record.get("new"))
    if not reasons or "tenant" not in keys or "id" not in keys:
        return None
    return PackTrigger(keys["tenant"], keys["id"], reasons)


def config_trigger(record: dict[str, Any]) -> TenantTrigger | None:
    """A forced location-config write (the writer marks the item ``forced``), a removal
    of a config, or a change of its ``fallback``; None for any other write."""
    keys = record.get("keys") or {}
    tenant, location = keys.get("tenant", ""), keys.get("id", "")
    old, new = record.get("old"), record.get("new")
    if new is None:
        return None if old is None else TenantTrigger(tenant, location, "removed")
    if new.get("forced"):
        return TenantTrigger(tenant, location, "forced")
    if old is None:
        return None  # a new location: nothing was served for it yet
    before, after = _doc(old).get("fallback"), _doc(new).get("fallback")
    if before == after:
        return None
    return TenantTrigger(tenant, location, "fallback", (before, after))
