"""Every operation of the origin as OpenAPI 3.1; built from data so it stays next to the code.

Keep it, the handlers and shared/spec/vimond-api.md in agreement. Rules no schema can state
(a fallback to itself, a reference to a region that does not exist, bytes that are not an
image) are listed per operation under ``x-refusals`` with the status and code they answer.
"""

from __future__ import annotations

from typing import Any

from common.openapi import Refusal, operation, parameter, path_param, query_param, response
from origin.models.image_packs import MAX_OFFSET
from origin.openapi.schemas import GRAVITY, ID, NAME, SCHEMAS, TENANT, ref

IMAGE_TYPES = ("image/jpeg", "image/png", "image/webp", "image/avif")
ERROR = response("error", ref("Error"))
AUTH_ERRORS = ("400", "401", "403", "413")
UNKNOWN_REGION = Refusal(400, "unknown_region", "a region that is not configured")
NOT_AN_IMAGE = [
    Refusal(422, code, rule)
    for code, rule in (
        ("not_an_image", "bytes that are not a JPEG, PNG, WebP or GIF image (or none)"),
        ("corrupt_image", "an image that does not decode"),
        ("decompression_bomb", "an image over the pixel limits"),
    )
]


def _json(schema: dict[str, Any], description: str = "OK") -> dict[str, Any]:
    return response(description, schema)


def _path(name: str, schema: dict[str, Any]) -> dict[str, Any]:
    return path_param(name, schema)


def _query(name: str, schema: dict[str, Any], description: str = "") -> dict[str, Any]:
    return query_param(name, schema, description)


def _op(
    operation_id: str,
    tag: str,
    summary: str,
    ok: dict[str, dict[str, Any]],
    *,
    errors: tuple[str, ...] = (),
    params: list[dict[str, Any]] | None = None,
    body: dict[str, Any] | None = None,
    body_required: bool = True,
    admin: bool = True,
    refusals: tuple[Refusal, ...] = (),
) -> dict[str, Any]:
    responses = dict(ok)
    for status in (AUTH_ERRORS if admin else ()) + errors + ("405", "503"):
        responses.setdefault(status, ERROR)
    return operation(
        operation_id,
        summary,
        responses,
        tag=tag,
        params=params or [],
        body=body,
        body_required=body_required,
        security=["VimondAuth"] if admin else None,
        refusals=refusals,
    )


FORCE = _query("force", {"type": "boolean"}, "acknowledge a change that invalidates variants")
INVALIDATED = {
    "X-Invalidated-Variants": {"schema": {"type": "integer"}, "description": "variants dropped"}
}
PACK = _path("id", ID)
LOCATION = _path("imageLocationName", NAME)
PACK_OK = {"200": _json(ref("ImagePack"))}
UPLOAD_QUERY = _query("region", NAME, "store a region-specific original")


# RFC 9110 §13 and §14: a field a server cannot use is ignored, so any value is valid here.
CONDITIONAL = [
    parameter(name, "header", {"type": "string"}, why)
    for name, why in (
        ("If-None-Match", "304 when it matches the variant's strong ETag"),
        ("If-Modified-Since", "without If-None-Match: 304 at or after Last-Modified"),
        ("Range", "one byte range: 206; several: the whole variant; none satisfiable: 416"),
        ("If-Range", "the ETag or date the range is valid for (else the whole variant)"),
    )
]
RANGE_HEADERS = {
    "Content-Range": {"schema": {"type": "string"}, "description": "bytes FIRST-LAST/SIZE"},
    "Accept-Ranges": {"schema": {"const": "bytes"}},
}
PARTIAL = {
    "206": {
        "description": "one byte range of the variant",
        "headers": RANGE_HEADERS,
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
    },
    "416": {
        "description": "the range selects none of the variant's bytes (Content-Range: bytes */SIZE)",
        "headers": RANGE_HEADERS,
        "content": {"application/json": {"schema": ref("Error")}},
    },
}


def _client_operations() -> dict[str, Any]:
    bool_param = {"type": "string", "enum": ["true", "false"]}
    image_params = [
        _path("imagePackId", {"type": "string", "pattern": r"^[0-9a-f]{24}(-[A-Za-z0-9_.]*)?$"}),
        _query("location", NAME),
        _query("width", {"type": "integer", "minimum": 1, "maximum": 4096}),
        _query("height", {"type": "integer", "minimum": 1, "maximum": 4096}),
        _query("location-ratio", bool_param),
        _query("resize-mode", {"type": "string", "enum": ["crop", "includeAll"]}),
        _query("resize-gravity", GRAVITY),
        _query("rounded-corners", {"type": "integer", "minimum": 0, "maximum": 2048}),
        _query("skip-crop", bool_param),
        _query("format", {"type": "string", "enum": ["jpeg", "jpg", "png", "webp", "avif"]}),
        _query("region", NAME),
        _query("date", {"type": "string"}, "cache buster: changes the URL, nothing else"),
        {
            "name": "X-vimond-access-key",
            "in": "header",
            "required": False,
            "schema": {"type": "string"},
        },
        *CONDITIONAL,
    ]
    image = {
        "description": "the variant",
        "headers": {
            "X-Image-Location": {
                "schema": {"type": "string"},
                "description": "whose image was used",
            },
            "X-Image-Region": {
                "schema": {"type": "string"},
                "description": "the region image used, if any",
            },
            "X-Variant-Cache": {
                "schema": {"type": "string", "enum": ["hit", "miss", "coalesced"]},
                "description": "from the S3 variant cache, rendered, or waited for a render",
            },
            "X-Variant-Key": {"schema": {"type": "string"}, "description": "the S3 variant key"},
        },
        "content": {t: {"schema": {"type": "string", "format": "binary"}} for t in IMAGE_TYPES},
    }
    get_image = _op(
        "getImage",
        "Image retrieval",
        "Get image variant",
        {
            "200": image,
            "301": {"description": "legacy path"},
            "302": {"description": "variant over the response limit"},
            "304": {"description": "not modified"},
            **PARTIAL,
        },
        errors=("403", "404", "422", "502"),
        params=image_params,
        admin=False,
        refusals=(
            Refusal(422, "unknown_location", "a location that is not configured"),
            Refusal(422, "unknown_region", "a region that is not configured"),
            Refusal(422, "output_too_large", "an output box over the dimension limit"),
        ),
    )

    def legacy(version: str) -> dict[str, Any]:
        return {
            "get": _op(
                f"getLegacyImage{version}",
                "Image retrieval",
                "Legacy path: 301 to /api/v2/img",
                {"301": {"description": "moved to /api/v2/img/{imagePackId} with the same query"}},
                params=[_path("imagePackId", {"type": "string"})],
                admin=False,
            )
        }

    variant = {
        "get": _op(
            "getStoredVariant",
            "Image retrieval",
            "A stored variant (target of the 302)",
            {"200": image, "304": {"description": "not modified"}, **PARTIAL},
            errors=("403", "404"),
            params=[_path("variantKey", {"type": "string"}), *CONDITIONAL],
            admin=False,
        )
    }
    return {
        "/api/v2/img/{imagePackId}": {"get": get_image},
        "/api/img/{imagePackId}": legacy(""),
        "/api/v1/img/{imagePackId}": legacy("V1"),
        "/api/v2/variants/{variantKey}": variant,
    }


def _public_operations() -> dict[str, Any]:
    return {
        "/api/ping": {
            "get": _op(
                "listPing",
                "Status",
                "Ping",
                {
                    "200": {
                        "description": "pong",
                        "content": {"text/plain": {"schema": {"type": "string"}}},
                    }
                },
                admin=False,
            )
        },
        "/api/systemsCheck": {
            "get": _op(
                "listSystemsCheck",
                "Status",
                "Systems check",
                {
                    "200": _json(ref("SystemsCheck")),
                    "503": _json(ref("SystemsCheck"), "S3 or DynamoDB failing"),
                },
                admin=False,
            )
        },
        "/api/v2/imageLocationConfigs": {
            "get": _op(
                "listClientImageLocationConfigs",
                "Public reference data",
                "List image location configs (public)",
                {"200": _json({"type": "array", "items": ref("LocationConfig")})},
                admin=False,
            )
        },
        "/api/v2/regions": {
            "get": _op(
                "listClientRegions",
                "Public reference data",
                "List regions (public)",
                {"200": _json({"type": "array", "items": ref("Region")})},
                admin=False,
            )
        },
        "/api/v2/regions/{region}": {
            "get": _op(
                "getClientRegion",
                "Public reference data",
                "Get region (public)",
                {"200": _json(ref("Region"))},
                errors=("404",),
                params=[_path("region", NAME)],
                admin=False,
            )
        },
    }


CONFIG_REFUSALS = (
    Refusal(400, "name_mismatch", "a body name other than the path's"),
    Refusal(400, "invalid_fallback", "a fallback to itself, to no location, or in a loop"),
)


def _config_operations() -> dict[str, Any]:
    name = _path("name", NAME)
    saved = {"200": {**_json(ref("LocationConfig")), "headers": INVALIDATED}}
    listing = {"type": "array", "items": ref("LocationConfig")}
    return {
        "/adminAPI/imageLocationConfig/{name}": {
            "get": _op(
                "getImageLocationConfig",
                "Image location configs (admin)",
                "Get image location config",
                {"200": _json(ref("LocationConfig"))},
                errors=("404",),
                params=[name],
            ),
            "put": _op(
                "saveImageLocationConfig",
                "Image location configs (admin)",
                "Create or replace an image location config",
                saved,
                errors=("409",),
                params=[name, FORCE],
                body=ref("LocationConfigInput"),
                refusals=CONFIG_REFUSALS,
            ),
        },
        "/adminAPI/imageLocationConfig/{name}/label": {
            "put": _op(
                "saveImageLocationConfigLabel",
                "Image location configs (admin)",
                "Update only the label",
                {"200": _json(ref("LocationConfig"))},
                errors=("404", "409"),
                params=[name],
                body=ref("Label"),
            ),
        },
        "/adminAPI/imageLocationConfigs": {
            "get": _op(
                "listImageLocationConfigs",
                "Image location configs (admin)",
                "List image location configs",
                {"200": _json(listing)},
            ),
            "put": _op(
                "replaceImageLocationConfigs",
                "Image location configs (admin)",
                "Replace all image location configs",
                {"200": {**_json(listing), "headers": INVALIDATED}},
                errors=("409",),
                params=[FORCE],
                body={"type": "array", "items": ref("LocationConfigItem")},
                refusals=(
                    *CONFIG_REFUSALS,
                    Refusal(400, "duplicate_location", "a name given twice"),
                ),
            ),
        },
    }


PACK_REFUSALS = (UNKNOWN_REGION, Refusal(400, "empty_crop", "a crop with no area"))


def _pack_operations() -> dict[str, Any]:
    tag = "Image packs (admin)"
    return {
        "/adminAPI/copyImagePacks": {
            "put": _op(
                "copyImagePacks",
                tag,
                "Copy image packs in bulk",
                {"202": _json(ref("CopyAccepted"), "accepted; copied in the background")},
                errors=("404",),
                body=ref("CopyImagePacks"),
                refusals=(Refusal(400, "same_tenant", "a copy from a tenant to itself"),),
            )
        },
        "/adminAPI/imagePack/{id}": {
            "get": _op(
                "getImagePack", tag, "Get an image pack", PACK_OK, errors=("404",), params=[PACK]
            ),
            "put": _op(
                "updateImagePack",
                tag,
                "Update image pack metadata",
                PACK_OK,
                errors=("404", "409"),
                params=[PACK],
                body=ref("ImagePackInput"),
                refusals=(*PACK_REFUSALS, Refusal(400, "read_only", "an id other than the pack's")),
            ),
        },
        "/adminAPI/imagePacks": {
            "get": _op(
                "listImagePacks",
                tag,
                "List image pack IDs",
                {"200": _json(ref("ImagePackIds"))},
                params=[_query("offset", {"type": "integer", "minimum": 0, "maximum": MAX_OFFSET})],
            ),
            "post": _op(
                "createImagePack",
                tag,
                "Create an image pack (the body is optional)",
                PACK_OK,
                body=ref("ImagePackInput"),
                body_required=False,
                refusals=PACK_REFUSALS,
            ),
        },
    }


def _pack_location_operations() -> dict[str, Any]:
    tag = "Pack image locations (admin)"
    region = _path("region", NAME)
    region_body = {
        "type": "object",
        "properties": {
            "cropInfo": ref("CropInfo"),
            "sequenceNumber": {"type": "integer", "minimum": 0},
        },
    }
    return {
        "/adminAPI/imagePack/{id}/{imageLocationName}": {
            "get": _op(
                "getImagePackLocation",
                tag,
                "Get a pack's location settings",
                {"200": _json(ref("PackLocation"))},
                errors=("404",),
                params=[PACK, LOCATION],
            ),
            "put": _op(
                "updateImagePackLocation",
                tag,
                "Update a pack's location settings",
                PACK_OK,
                errors=("404", "409"),
                params=[PACK, LOCATION],
                body=ref("PackLocationInput"),
                refusals=PACK_REFUSALS,
            ),
        },
        "/adminAPI/imagePack/{id}/{imageLocationName}/{region}": {
            "put": _op(
                "updateImagePackLocationForRegion",
                tag,
                "Update a pack's location settings for a region",
                PACK_OK,
                errors=("404", "409"),
                params=[PACK, LOCATION, region],
                body=region_body,
                refusals=PACK_REFUSALS,
            ),
        },
        "/adminAPI/imagePack/{id}/deleteImageLocation": {
            "post": _op(
                "deleteImagePackLocation",
                tag,
                "Remove a location from a pack",
                PACK_OK,
                errors=("404", "409"),
                params=[PACK],
                body=ref("DeleteImageLocation"),
            ),
        },
    }


def _upload_operations() -> dict[str, Any]:
    tag = "Image uploads (admin)"
    multipart = {
        "required": True,
        "content": {
            "multipart/form-data": {
                "schema": {
                    "type": "object",
                    "required": ["file"],
                    "properties": {"file": {"type": "string", "format": "binary"}},
                    "additionalProperties": False,
                }
            }
        },
    }
    upload = _op(
        "uploadImagePackLocationImage",
        tag,
        "Upload original for (pack, location)",
        PACK_OK,
        errors=("404", "409", "422"),
        params=[PACK, LOCATION, UPLOAD_QUERY],
        refusals=(UNKNOWN_REGION, *NOT_AN_IMAGE),
    )
    upload["requestBody"] = multipart
    fetch_url = {**_query("imageUrl", {"type": "string", "format": "uri"}), "required": True}
    original = {
        "description": "the original's bytes",
        "content": {
            t: {"schema": {"type": "string", "format": "binary"}}
            for t in (*IMAGE_TYPES, "image/gif")
        },
    }
    return {
        "/adminAPI/image/{imageId}": {
            "get": _op(
                "getImageData",
                tag,
                "Download stored original by image ID",
                {"200": original},
                errors=("404",),
                params=[_path("imageId", ID)],
            )
        },
        "/adminAPI/imagePack/{id}/{imageLocationName}/fetchImage": {
            "post": _op(
                "fetchImagePackLocationImage",
                tag,
                "Fetch original from a URL",
                PACK_OK,
                errors=("404", "409", "422"),
                params=[PACK, LOCATION, fetch_url, UPLOAD_QUERY],
                refusals=(
                    UNKNOWN_REGION,
                    *NOT_AN_IMAGE,
                    Refusal(422, "fetch_refused", "a host not allowed by configuration"),
                    Refusal(422, "fetch_failed", "a URL that cannot be fetched"),
                ),
            )
        },
        "/adminAPI/imagePack/{id}/{imageLocationName}/upload": {"post": upload},
    }


def _region_operations() -> dict[str, Any]:
    tag = "Regions (admin)"
    return {
        "/adminAPI/regions": {
            "post": _op(
                "createRegion",
                tag,
                "Create a region",
                {"200": _json(ref("Region"))},
                errors=("409",),
                body=ref("RegionInput"),
            )
        },
        "/adminAPI/regions/{region}": {
            "put": _op(
                "updateRegion",
                tag,
                "Update a region",
                {"200": _json(ref("Region"))},
                errors=("404", "409"),
                params=[_path("region", NAME)],
                body=ref("RegionUpdate"),
                refusals=(Refusal(400, "name_mismatch", "a body name other than the path's"),),
            )
        },
    }


def _platform_operations() -> dict[str, Any]:
    params = [
        _path("environment", {"type": "string", "pattern": "^[a-z0-9-]+$"}),
        _path("tenant", TENANT),
        _path("imagePackId", ID),
    ]
    delete = _op(
        "invalidateImagePackCache",
        "Cache invalidation",
        "Force-invalidate a pack's CDN and S3 variant caches",
        {"204": {"description": "variants deleted, edge invalidation requested"}},
        errors=("404", "421", "503"),
        params=params,
    )
    delete["description"] = (
        "Served on the platform management host (manage.api.{environment}.…, seed 000): its "
        "own listener when the origin has one (the stack's ready file calls it platform), and "
        "on this host too. The platform host answers nothing else (404); an image-service "
        "Host on the platform listener is misdirected (421)."
    )
    return {"/{environment}-lof/images/{tenant}/{imagePackId}": {"delete": delete}}


def build_document(server_url: str | None = None) -> dict[str, Any]:
    paths: dict[str, Any] = {}
    for part in (
        _public_operations,
        _client_operations,
        _config_operations,
        _pack_operations,
        _pack_location_operations,
        _upload_operations,
        _region_operations,
        _platform_operations,
    ):
        paths.update(part())
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Vimond Image Service (cdnsim origin)",
            "version": "2.0-cdnsim",
            "description": "The client serving, public reference data, status and admin APIs as "
            "cdnsim emulates them. Errors are JSON: {code, message, status}.",
        },
        "servers": [{"url": server_url or "/"}],
        "paths": paths,
        "components": {
            "schemas": SCHEMAS,
            "securitySchemes": {
                "VimondAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"},
                "Basic": {
                    "type": "http",
                    "scheme": "basic",
                    "description": "legacy deployments only",
                },
            },
        },
    }
