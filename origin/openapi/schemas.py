"""Component schemas of the OpenAPI document: the JSON shapes of spec/vimond-api.md."""

from __future__ import annotations

from typing import Any

from origin.models.fields import GRAVITIES, INCLUDE_ALL, MAX_DIMENSION

NAME = {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$"}
ID = {"type": "string", "pattern": r"^[0-9a-f]{24}$"}
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
    "label": {"type": "string", "maxLength": 256},
    "width": DIMENSION,
    "height": DIMENSION,
    "fallback": NAME,
    "resizeGravity": {
        **GRAVITY,
        "description": "absent: the tenant default decides (center unless configured)",
    },
    "useResizeIncludeAll": INCLUDE,
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
    },
    "Label": {
        "type": "object",
        "required": ["label"],
        "properties": {"label": {"type": "string", "maxLength": 256}},
    },
    "Region": {
        "type": "object",
        "required": ["name", "countries"],
        "properties": {
            "name": NAME,
            "label": {"type": "string", "maxLength": 256},
            "countries": {"type": "array", "items": {"type": "string", "pattern": "^[A-Z]{2}$"}},
        },
    },
    "RegionImage": {"type": "object", "properties": {"imageId": ID, "cropInfo": ref("CropInfo")}},
    "PackLocation": {
        "type": "object",
        "properties": {
            "imageId": ID,
            "cropInfo": ref("CropInfo"),
            "useResizeIncludeAll": INCLUDE,
            "resizeGravity": GRAVITY,
            "regions": {"type": "object", "additionalProperties": ref("RegionImage")},
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
            "imageLocations": {"type": "object", "additionalProperties": ref("PackLocation")},
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
            "imageLocations": {"type": "object", "additionalProperties": ref("PackLocationInput")},
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
            "sourceTenant": {"type": "string"},
            "targetTenant": {"type": "string"},
            "imagePackIds": {"type": "array", "items": ID},
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
