"""The documents the admin API reads and writes, their JSON forms and their storage records.

Each document is stored as one DynamoDB item ``{tenant, id, version, doc}``: ``doc`` is
the JSON form, ``version`` the integer conditional writes check. Cleared or unset
fields are absent from the JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field, replace
from typing import Any

from common.errors import BadRequest
from origin.models import fields as f


def _compact(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != {}}


# -- crop info ----------------------------------------------------------------------
@dataclass(frozen=True)
class CropInfo:
    """A rectangle relative to the original, each coordinate 0.0–1.0."""

    top_left_x: float
    top_left_y: float
    bottom_right_x: float
    bottom_right_y: float

    @classmethod
    def parse(cls, value: Any, field_name: str = "cropInfo") -> CropInfo:
        if not isinstance(value, dict):
            raise BadRequest(f"{field_name} must be an object", field=field_name)
        coords = [
            f.unit_float(value.get(k), f"{field_name}.{k}")
            for k in ("topLeftX", "topLeftY", "bottomRightX", "bottomRightY")
        ]
        if not (coords[0] < coords[2] and coords[1] < coords[3]):
            raise BadRequest(
                f"{field_name} must have topLeft above and left of bottomRight",
                code="empty_crop",
                field=field_name,
            )
        return cls(*coords)

    def to_json(self) -> dict[str, float]:
        return {
            "topLeftX": self.top_left_x,
            "topLeftY": self.top_left_y,
            "bottomRightX": self.bottom_right_x,
            "bottomRightY": self.bottom_right_y,
        }


def _name(body: dict[str, Any], path_name: str | None) -> str:
    """The document's name: the path's when there is one (a body name, if given, must be
    the same), else the body's."""
    body_name = f.optional_name(body, "name")
    if path_name is not None and body_name is not None and body_name != path_name:
        raise BadRequest(
            "name in the body differs from the path", code="name_mismatch", field="name"
        )
    return f.name(path_name if path_name is not None else body_name, "name")


def _crop(body: dict[str, Any], field_name: str = "cropInfo") -> CropInfo | None:
    return CropInfo.parse(body[field_name], field_name) if field_name in body else None


# -- location configs ---------------------------------------------------------------
HEAVY_CONFIG_FIELDS = ("width", "height", "resize_gravity", "use_resize_include_all")


@dataclass(frozen=True)
class LocationConfig:
    name: str
    width: int | None = None
    height: int | None = None
    label: str | None = None
    fallback: str | None = None
    # None: not set here, so the tenant default decides (spec "Resolution" step 4; the
    # seed's "center (default)" is the tenant default's own default).
    resize_gravity: str | None = None
    use_resize_include_all: str = "UNSET"
    added: str | None = None
    updated: str | None = None
    version: int = 0

    @classmethod
    def parse(cls, body: Any, name: str | None = None) -> LocationConfig:
        """A config from an admin body; ``name`` is the path's, which wins over the body's."""
        if not isinstance(body, dict):
            raise BadRequest("a location config must be a JSON object")
        config = cls(
            name=_name(body, name),
            width=f.dimension(body, "width"),
            height=f.dimension(body, "height"),
            label=f.label(body),
            fallback=f.optional_name(body, "fallback"),
            resize_gravity=f.gravity(body),
            use_resize_include_all=f.include_all(body) or "UNSET",
        )
        if config.width is None and config.height is None:
            raise BadRequest("a location config needs width or height (or both)", field="width")
        if config.fallback == config.name:
            raise BadRequest(
                "a location cannot fall back to itself", code="invalid_fallback", field="fallback"
            )
        return config

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "name": self.name,
                "label": self.label,
                "width": self.width,
                "height": self.height,
                "fallback": self.fallback,
                "resizeGravity": self.resize_gravity,
                "useResizeIncludeAll": self.use_resize_include_all,
                "added": self.added,
                "updated": self.updated,
            }
        )

    def to_item(self, tenant: str) -> dict[str, Any]:
        return {
            "tenant": tenant,
            "id": self.name,
            "version": self.version,
            "doc": json.dumps(self.to_json()),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> LocationConfig:
        doc = json.loads(item["doc"])
        return cls(
            name=doc["name"],
            width=doc.get("width"),
            height=doc.get("height"),
            label=doc.get("label"),
            fallback=doc.get("fallback"),
            resize_gravity=doc.get("resizeGravity"),
            use_resize_include_all=doc.get("useResizeIncludeAll", "UNSET"),
            added=doc.get("added"),
            updated=doc.get("updated"),
            version=int(item.get("version", 0)),
        )


# -- regions ------------------------------------------------------------------------
@dataclass(frozen=True)
class Region:
    name: str
    label: str | None = None
    countries: tuple[str, ...] = ()
    version: int = 0

    @classmethod
    def parse(cls, body: Any, name: str | None = None) -> Region:
        if not isinstance(body, dict):
            raise BadRequest("a region must be a JSON object")
        region_name, label = _name(body, name), f.label(body)
        countries = body.get("countries")
        if not isinstance(countries, list) or not all(
            isinstance(c, str) and f.COUNTRY_PATTERN.fullmatch(c) for c in countries
        ):
            raise BadRequest(
                "countries must be a list of ISO 3166 alpha-2 codes (possibly empty)",
                field="countries",
            )
        return cls(name=region_name, label=label, countries=tuple(dict.fromkeys(countries)))

    def to_json(self) -> dict[str, Any]:
        return _compact({"name": self.name, "label": self.label}) | {
            "countries": list(self.countries)
        }

    def to_item(self, tenant: str) -> dict[str, Any]:
        return {
            "tenant": tenant,
            "id": self.name,
            "version": self.version,
            "doc": json.dumps(self.to_json()),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> Region:
        doc = json.loads(item["doc"])
        return cls(
            doc["name"],
            doc.get("label"),
            tuple(doc.get("countries", [])),
            int(item.get("version", 0)),
        )


# -- image packs --------------------------------------------------------------------
@dataclass(frozen=True)
class RegionImage:
    image_id: str | None = None
    crop_info: CropInfo | None = None

    @classmethod
    def parse_overrides(cls, body: Any, keep: RegionImage | None = None) -> RegionImage:
        """Overrides from an admin body; the stored original is kept (only uploads change it)."""
        if not isinstance(body, dict):
            raise BadRequest("region settings must be a JSON object")
        return cls(image_id=keep.image_id if keep else None, crop_info=_crop(body))

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {"imageId": self.image_id, "cropInfo": self.crop_info and self.crop_info.to_json()}
        )

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> RegionImage:
        crop = doc.get("cropInfo")
        return cls(doc.get("imageId"), CropInfo.parse(crop) if crop else None)


@dataclass(frozen=True)
class PackLocation:
    image_id: str | None = None
    crop_info: CropInfo | None = None
    use_resize_include_all: str | None = None
    resize_gravity: str | None = None
    regions: dict[str, RegionImage] = field(default_factory=dict)

    @classmethod
    def parse_overrides(
        cls, body: Any, keep: PackLocation | None = None, field_prefix: str = ""
    ) -> PackLocation:
        """The overrides object of a pack location; ``{}`` clears them. Originals
        (``imageId``s, the location's and its regions') are kept from ``keep``."""
        if not isinstance(body, dict):
            raise BadRequest(f"{field_prefix or 'the location settings'} must be a JSON object")
        regions = dict(keep.regions) if keep else {}
        raw_regions = f.object_field(body, "regions")
        if raw_regions is not None:
            parsed: dict[str, RegionImage] = {}
            for region_name, value in raw_regions.items():
                f.name(region_name, f"{field_prefix}regions")
                parsed[region_name] = RegionImage.parse_overrides(value, regions.get(region_name))
            # Regions that hold an original stay; only their overrides are replaced.
            regions = {k: v for k, v in regions.items() if v.image_id} | parsed
        return cls(
            image_id=keep.image_id if keep else None,
            crop_info=_crop(body),
            use_resize_include_all=f.include_all(body),
            resize_gravity=f.gravity(body),
            regions=regions,
        )

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "imageId": self.image_id,
                "cropInfo": self.crop_info and self.crop_info.to_json(),
                "useResizeIncludeAll": self.use_resize_include_all,
                "resizeGravity": self.resize_gravity,
                "regions": {k: v.to_json() for k, v in sorted(self.regions.items())},
            }
        )

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> PackLocation:
        crop = doc.get("cropInfo")
        return cls(
            image_id=doc.get("imageId"),
            crop_info=CropInfo.parse(crop) if crop else None,
            use_resize_include_all=doc.get("useResizeIncludeAll"),
            resize_gravity=doc.get("resizeGravity"),
            regions={k: RegionImage.from_json(v) for k, v in doc.get("regions", {}).items()},
        )


@dataclass(frozen=True)
class ImagePack:
    id: str
    tenant: str
    asset_id: str | None = None
    main_image_location: str = "main"
    image_locations: dict[str, PackLocation] = field(default_factory=dict)
    use_resize_include_all: str | None = None
    resize_gravity: str | None = None
    created: str | None = None
    modified: str | None = None
    sequence_number: int = 0

    def replace_metadata(self, body: Any) -> ImagePack:
        """Full-replace PUT semantics: omitted fields are cleared, originals stay."""
        if not isinstance(body, dict):
            raise BadRequest("an image pack must be a JSON object")
        if body.get("id") not in (None, self.id):
            raise BadRequest("id is read-only", code="read_only", field="id")
        raw_locations = f.object_field(body, "imageLocations") or {}
        locations: dict[str, PackLocation] = {}
        for loc_name, value in raw_locations.items():
            f.name(loc_name, "imageLocations")
            locations[loc_name] = PackLocation.parse_overrides(
                value, self.image_locations.get(loc_name), f"imageLocations.{loc_name}."
            )
        # Locations holding an original keep it even when the body omits them.
        for loc_name, old in self.image_locations.items():
            if loc_name not in locations and (
                old.image_id or any(r.image_id for r in old.regions.values())
            ):
                locations[loc_name] = PackLocation(
                    image_id=old.image_id,
                    regions={
                        k: RegionImage(v.image_id) for k, v in old.regions.items() if v.image_id
                    },
                )
        return replace(
            self,
            asset_id=f.optional_string(body, "assetId"),
            main_image_location=f.optional_name(body, "mainImageLocation") or "main",
            image_locations=locations,
            use_resize_include_all=f.include_all(body),
            resize_gravity=f.gravity(body),
        )

    def to_json(self) -> dict[str, Any]:
        return _compact(
            {
                "id": self.id,
                "tenant": self.tenant,
                "assetId": self.asset_id,
                "mainImageLocation": self.main_image_location,
                "imageLocations": {k: v.to_json() for k, v in sorted(self.image_locations.items())},
                "useResizeIncludeAll": self.use_resize_include_all,
                "resizeGravity": self.resize_gravity,
                "created": self.created,
                "modified": self.modified,
                "sequenceNumber": self.sequence_number,
            }
        )

    def to_item(self) -> dict[str, Any]:
        return {
            "tenant": self.tenant,
            "id": self.id,
            "version": self.sequence_number,
            "doc": json.dumps(self.to_json(), sort_keys=True),
        }

    @classmethod
    def from_item(cls, item: dict[str, Any]) -> ImagePack:
        return cls.from_json(json.loads(item["doc"]))

    @classmethod
    def from_json(cls, doc: dict[str, Any]) -> ImagePack:
        return cls(
            id=doc["id"],
            tenant=doc["tenant"],
            asset_id=doc.get("assetId"),
            main_image_location=doc.get("mainImageLocation", "main"),
            image_locations={
                k: PackLocation.from_json(v) for k, v in doc.get("imageLocations", {}).items()
            },
            use_resize_include_all=doc.get("useResizeIncludeAll"),
            resize_gravity=doc.get("resizeGravity"),
            created=doc.get("created"),
            modified=doc.get("modified"),
            sequence_number=int(doc.get("sequenceNumber", 0)),
        )
