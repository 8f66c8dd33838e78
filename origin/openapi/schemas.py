"""Component schemas of the OpenAPI document: the JSON shapes of spec/vimond-api.md."""

from __future__ import annotations

from typing import Any

from origin.models.fields import (
    GRAVITIES,
    INCLUDE_ALL,
    MAX_DIMENSION,
    MAX_LABEL,
    NAME_PATTERN,
    RESERVED_NAMES,
    TENANT_PATTERN,
)
from origin.models.image_packs import PAGE_SIZE
from origin.models.regions import COUNTRIES

NAME = {
    "type": "string",
    "pattern": NAME_PATTERN.pattern,
    "not": {"enum": list(RESERVED_NAMES)},
    "description": "a location or region name (the reserved ones are admin API paths)",
}
ID = {"type": "string", "pattern": r"^[0-9a-f]{24}$"}
TENANT = {"type": "string", "pattern": TENANT_PATTERN.pattern}
LABEL = {"type": "string", "maxLength": MAX_LABEL}
TIMESTAMP = {"type": "string", "format": "date-time"}
DIMENSION = {"type": "integer", "minimum": 1, "maximum": MAX_DIMENSION}
GRAVITY = {"type": "string", "enum": list(GRAVITIES)}
INCLUDE = {"type": "string", "enum": list(INCLUDE_ALL)}
UNIT = {"type": "number", "minimum": 0, "maximum": 1}


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


# What a client writes; the stored config adds its read-only timestamps.
LOCATION_CONFIG_FIELDS: dict[str, Any] = {
    "name": NAME,
    "label": LABEL,
    "width": DIMENSION,
    "height": DIMENSION,
    "fallback": NAME,
    "resizeGravity": {
        **GRAVITY,
        "description": "absent: the tenant default decides (center unless configured)",
    },
    "useResizeIncludeAll": INCLUDE,
}

REGION_FIELDS: dict[str, Any] = {
    "name": NAME,
    "label": LABEL,
    "countries": {
        "type": "array",
        "items": {"type": "string", "enum": sorted(COUNTRIES)},
        "description": "ISO 3166-1 alpha-2 codes",
    },
}

SCHEMAS: dict[str, Any] = {
    "Error": {
        "type": "object",
        "required": ["code", "message", "status"],
        "properties": {
            "code": {"type": "string"},
            "message": {"type": "string"},
            "status": {"type": "integer"},
            "field": {"type": "string", "description": "the body field at fault (400)"},
            "parameter": {"type": "string", "description": "the query parameter at fault (422)"},
        },
    },
    "CropInfo": {
        "type": "object",
        "description": "A rectangle relative to the original; top-left above and left of bottom-right.",
        "required": ["topLeftX", "topLeftY", "bottomRightX", "bottomRightY"],
        "properties": {k: UNIT for k in ("topLeftX", "topLeftY", "bottomRightX", "bottomRightY")},
    },
    "LocationConfig": {
        "type": "object",
        "required": ["name", "useResizeIncludeAll"],
        "properties": {**LOCATION_CONFIG_FIELDS, "added": TIMESTAMP, "updated": TIMESTAMP},
    },
    "LocationConfigInput": {
        "type": "object",
        "description": "name (or the path's), and width or height (or both); added/updated are read-only.",
        "properties": LOCATION_CONFIG_FIELDS,
        "anyOf": [{"required": ["width"]}, {"required": ["height"]}],
    },
    "LocationConfigItem": {
        "type": "object",
        "description": "One config of a bulk replace: its name, and width or height (or both).",
        "required": ["name"],
        "properties": LOCATION_CONFIG_FIELDS,
        "anyOf": [{"required": ["width"]}, {"required": ["height"]}],
    },
    "Label": {
        "type": "object",
        "required": ["label"],
        "properties": {"label": LABEL},
        "additionalProperties": False,
    },
    "Region": {
        "type": "object",
        "required": ["name", "countries"],
        "properties": {
            "name": NAME,
            "label": LABEL,
            "countries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        },
    },
    "RegionInput": {
        "type": "object",
        "required": ["name", "countries"],
        "properties": REGION_FIELDS,
    },
    "RegionUpdate": {
        "type": "object",
        "description": "name: the path's, if given",
        "required": ["countries"],
        "properties": REGION_FIELDS,
    },
    "RegionImage": {"type": "object", "properties": {"imageId": ID, "cropInfo": ref("CropInfo")}},
    "PackLocation": {
        "type": "object",
        "properties": {
            "imageId": ID,
            "cropInfo": ref("CropInfo"),
            "useResizeIncludeAll": INCLUDE,
            "resizeGravity": GRAVITY,
            "regions": {
                "type": "object",
                "propertyNames": NAME,
                "additionalProperties": ref("RegionImage"),
            },
        },
    },
    "PackLocationInput": {
        "type": "object",
        "description": "Overrides of one pack location; {} clears them. Originals are kept.",
        "properties": {
            "cropInfo": ref("CropInfo"),
            "useResizeIncludeAll": INCLUDE,
            "resizeGravity": GRAVITY,
            "regions": {
                "type": "object",
                "propertyNames": NAME,
                "additionalProperties": {
                    "type": "object",
                    "properties": {"cropInfo": ref("CropInfo")},
                },
            },
            "sequenceNumber": {"type": "integer", "minimum": 0},
        },
    },
    "ImagePack": {
        "type": "object",
        "required": ["id", "tenant", "mainImageLocation", "sequenceNumber"],
        "properties": {
            "id": ID,
            "tenant": {"type": "string"},
            "assetId": {"type": "string"},
            "mainImageLocation": NAME,
            "imageLocations": {
                "type": "object",
                "propertyNames": NAME,
                "additionalProperties": ref("PackLocation"),
            },
            "useResizeIncludeAll": INCLUDE,
            "resizeGravity": GRAVITY,
            "created": TIMESTAMP,
            "modified": TIMESTAMP,
            "sequenceNumber": {"type": "integer", "minimum": 0},
        },
    },
    "ImagePackInput": {
        "type": "object",
        "description": "Full replace: omitted fields are cleared; stored originals stay. "
        "With sequenceNumber the write is conditional on that version.",
        "properties": {
            "assetId": {"type": "string", "maxLength": 256},
            "mainImageLocation": NAME,
            "imageLocations": {
                "type": "object",
                "propertyNames": NAME,
                "additionalProperties": ref("PackLocationInput"),
            },
            "useResizeIncludeAll": INCLUDE,
            "resizeGravity": GRAVITY,
            "sequenceNumber": {"type": "integer", "minimum": 0},
        },
    },
    "ImagePackIds": {
        "type": "object",
        "required": ["imagePackIds", "offset", "total"],
        "properties": {
            "imagePackIds": {"type": "array", "items": ID, "maxItems": 1000},
            "offset": {"type": "integer", "minimum": 0},
            "total": {"type": "integer", "minimum": 0},
        },
    },
    "CopyImagePacks": {
        "type": "object",
        "required": ["sourceTenant", "targetTenant", "imagePackIds"],
        "properties": {
            "sourceTenant": TENANT,
            "targetTenant": TENANT,
            "imagePackIds": {"type": "array", "items": ID, "minItems": 1, "maxItems": PAGE_SIZE},
        },
    },
    "CopyAccepted": {
        "type": "object",
        "required": ["copyId", "imagePackIds"],
        "properties": {
            "copyId": {"type": "string"},
            "imagePackIds": {"type": "array", "items": ID},
        },
    },
    "DeleteImageLocation": {
        "type": "object",
        "required": ["imageLocationName"],
        "properties": {
            "imageLocationName": NAME,
            "sequenceNumber": {"type": "integer", "minimum": 0},
        },
    },
    "SystemsCheck": {
        "type": "object",
        "required": ["status", "checks"],
        "properties": {
            "status": {"type": "string", "enum": ["ok", "failing"]},
            "checks": {
                "type": "object",
                "additionalProperties": {
                    "type": "object",
                    "required": ["ok"],
                    "properties": {
                        "ok": {"type": "boolean"},
                        "latencyMs": {"type": "number"},
                        "error": {"type": "string"},
                    },
                },
            },
        },
    },
}
