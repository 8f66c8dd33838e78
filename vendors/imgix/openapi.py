"""The OpenAPI 3.1 document of the imgix Management API, served at ``/openapi.json`` on the
API app: sources, purges (:mod:`vendors.imgix.api`), assets (:mod:`vendors.imgix.assets_api`)
and reports (:mod:`vendors.imgix.reports_api`), in JSON:API as the seed documents them
(``shared/spec/seeds/004_…``).

Built from the tables the handlers validate with (deployment fields per source type,
rendering parameters, sorts, report types), so the two agree. Where the seed is silent the
document says what we answer. Rules no schema states (a purge of a domain of no source,
the fields a deployment needs after a PATCH merged it…) are ``x-refusals``: the error
object's ``meta.rule`` names them.
"""

from __future__ import annotations

from typing import Any

from common.openapi import (
    Refusal,
    Schema,
    array,
    document,
    error_responses,
    nullable,
    obj,
    operation,
    path_param,
    query_param,
    response,
)
from vendors.imgix import deployment as dep
from vendors.imgix.api import CREDENTIALS_REFUSED, SOURCE_FILTERS, SOURCE_SORTS
from vendors.imgix.assets import RANGE
from vendors.imgix.assets import SORTS as ASSET_SORTS
from vendors.imgix.assets_api import NO_CREDENTIALS, UPLOAD_UNSUPPORTED
from vendors.imgix.jsonapi import MEDIA_TYPE
from vendors.imgix.jsonapi_query import MAX_INDEX, MAX_PAGE_SIZE
from vendors.imgix.param_catalogue import ALIASES, CATALOGUE
from vendors.imgix.params import MAX_DEFAULT_PARAMS
from vendors.imgix.purges import EDGE_REFUSED, FOREIGN_DOMAIN, UNKNOWN_SOURCE
from vendors.imgix.reports import SORTS as REPORT_SORTS
from vendors.imgix.reports import TYPES as REPORT_TYPES
from vendors.imgix.sources import CREDENTIALS_RULE
from vendors.imgix.uploads import CONTENT_TYPE, KEY_TOO_LONG, NOT_AN_IMAGE

DOCUMENT_PATH = "/openapi.json"
STRING, BOOLEAN, INTEGER = {"type": "string"}, {"type": "boolean"}, {"type": "integer"}
TTL = {"type": "integer", "minimum": 1, "maximum": dep.MAX_TTL}
URL = {"type": "string", "format": "uri", "maxLength": 2048, "pattern": "^https?://[^/?#]"}
SUBDOMAIN = {"type": "string", "pattern": "^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$"}
BUCKET = {"type": "string", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"}
TEXT = {"type": "string", "pattern": r"\S"}  # not blank
COMMON_FIELDS: dict[str, Schema] = {
    "annotation": {"type": "string", "maxLength": 1024},
    "cache_ttl_behavior": {"type": "string", "enum": list(dep.TTL_BEHAVIORS)},
    "cache_ttl_error": TTL,
    "cache_ttl_value": TTL,
    "crossdomain_xml_enabled": BOOLEAN,
    "custom_domains": array(
        {
            "type": "string",
            "maxLength": 253,
            "pattern": r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$",
            "not": {"pattern": r"\.imgix\.net$"},
        }
    ),
    "default_params": {
        "type": "object",
        "propertyNames": {"enum": sorted({*CATALOGUE, *ALIASES})},
        "maxProperties": MAX_DEFAULT_PARAMS,
        "additionalProperties": {"anyOf": [STRING, {"type": "number"}]},
        "description": "rendering parameters every request to the source gets: any imgix "
        "documents (or its alias); those this edge does not render are stored and ignored",
    },
    "image_error": nullable(URL),
    "image_error_append_qs": BOOLEAN,
    "image_missing": nullable(URL),
    "image_missing_append_qs": BOOLEAN,
    "imgix_subdomains": {**array(SUBDOMAIN, min_items=1), "uniqueItems": True},
    "secure_url_enabled": BOOLEAN,
}


def _type_fields(kind: str) -> dict[str, Schema]:
    out: dict[str, Schema] = {}
    for name in dep.TYPE_FIELDS[kind]:
        if name.endswith("_bucket"):
            out[name] = BUCKET if kind != "azure" else TEXT
        elif name == "webfolder_base_url":
            out[name] = URL
        elif name == "azure_service_type":
            out[name] = {"type": "string", "enum": ["blob", "file"]}
        else:
            # A prefix is optional and null by default (the seed's "Defaults to null").
            out[name] = TEXT if dep.TYPE_FIELDS[kind][name] else nullable(STRING)
    return out


def _deployment_for(kind: str) -> Schema:
    required = [n for n, needed in dep.TYPE_FIELDS[kind].items() if needed]
    fields = {"type": {"const": kind}, **COMMON_FIELDS, **_type_fields(kind)}
    return obj(fields, required=["type", "imgix_subdomains", *required])


def _credentials_for(kind: str) -> Schema:
    needed = {
        "s3": ("s3_access_key", "s3_secret_key"),
        "gcs": ("gcs_access_key", "gcs_secret_key"),
        "azure": ("azure_sas_string",),
    }[kind]
    return obj({"type": {"const": kind}, **dict.fromkeys(needed, TEXT)}, required=["type", *needed])


def _shown_deployment() -> Schema:
    """A deployment as the API shows it: every field of its type, no secrets."""
    fields: dict[str, Schema] = {
        "type": {"type": "string", "enum": list(dep.TYPES)},
        "allows_upload": BOOLEAN,
        **{k: (v if k != "annotation" else STRING) for k, v in COMMON_FIELDS.items()},
    }
    for kind in dep.TYPES:
        for name, schema in _type_fields(kind).items():
            if name not in dep.SECRETS:
                fields[name] = nullable(schema)
    return obj(fields, description="sparse fieldsets may leave any member out")


def _resource(
    kind: str, attributes: Schema, *, with_id: bool = True, required: tuple[str, ...] = ()
) -> Schema:
    properties: dict[str, Schema] = {"type": {"const": kind}, "attributes": attributes}
    if with_id:
        properties["id"] = STRING
    if kind == "reports":
        account = obj(
            {"data": obj({"id": STRING, "type": {"const": "accounts"}}, required=["id", "type"])},
            required=["data"],
        )
        properties["relationships"] = obj(
            {"account": account},
            description="the account; left out when fields[reports] does not name it",
        )
    return obj(properties, required=["type", *(["id"] if with_id else []), *required])


def _request(kind: str, attributes: Schema, *, with_id: bool) -> Schema:
    """A request document; a create (no id) must carry its attributes."""
    data = _resource(kind, attributes, with_id=with_id, required=() if with_id else ("attributes",))
    return obj(
        {
            "data": data,
            "jsonapi": {"type": "object"},
            "meta": {"type": "object"},
            "links": {},
            "included": {},
        },
        required=["data"],
    )


def _document(data: Schema) -> Schema:
    return obj(
        {
            "data": data,
            "included": array({}),
            "jsonapi": obj({"version": {"const": "1.0"}}),
            "meta": {"type": "object"},
        },
        required=["data", "included", "jsonapi", "meta"],
    )


ASSET_ATTRIBUTES = obj(
    {
        **dict.fromkeys(
            (
                "analyzed_content_warnings",
                "analyzed_faces",
                "analyzed_tags",
                "has_frames",
                "uploaded_by_api",
            ),
            BOOLEAN,
        ),
        "categories": array(STRING),
        "color_model": nullable(STRING),
        "color_profile": nullable(STRING),
        "colors": obj(
            {"dominant_colors": {"type": "object", "additionalProperties": {"type": "number"}}}
        ),
        "content_type": STRING,
        "custom_fields": nullable(
            {"type": "object", "additionalProperties": {"anyOf": [STRING, {"type": "number"}]}}
        ),
        **dict.fromkeys(("date_created", "date_modified", "file_size"), INTEGER),
        **dict.fromkeys(("description", "name", "uploaded_by", "media_kind"), nullable(STRING)),
        **dict.fromkeys(
            ("dpi_height", "dpi_width", "face_count", "media_height", "media_width"),
            nullable({"type": "integer"}),
        ),
        "origin_path": STRING,
        "source_id": STRING,
        "tags": {"type": "object", "additionalProperties": {"type": "number"}},
        **{
            f"warning_{k}": {"type": "integer", "minimum": 0, "maximum": 5}
            for k in ("adult", "medical", "racy", "spoof", "violence")
        },
    },
    description="sparse fieldsets may leave any member out",
)
ASSET_UPDATE = obj(
    {
        "categories": array({"type": "string", "maxLength": 256}),
        "custom_fields": nullable(
            {"type": "object", "additionalProperties": {"anyOf": [STRING, {"type": "number"}]}}
        ),
        "description": nullable({"type": "string", "maxLength": 4096}),
        "name": nullable({"type": "string", "maxLength": 4096}),
        "tags": {
            "type": "object",
            "additionalProperties": {"type": "number", "minimum": 0, "maximum": 1},
        },
    }
)
SOURCE_ATTRIBUTES = obj(
    {
        "date_deployed": nullable({"type": "integer"}),
        "deployment": _shown_deployment(),
        "deployment_status": {
            "type": "string",
            "enum": ["deploying", "deployed", "disabled", "deleted"],
        },
        "enabled": BOOLEAN,
        "name": STRING,
        "secure_url_token": STRING,
    },
    description="sparse fieldsets may leave any member out",
)
NAME = {"type": "string", "maxLength": 256, "pattern": r"\S"}
CREDENTIALS = {"oneOf": [_credentials_for(k) for k in ("s3", "gcs", "azure")]}
SOURCE_CREATE = obj(
    {
        "name": NAME,
        "enabled": BOOLEAN,
        "deployment": {"oneOf": [_deployment_for(k) for k in dep.TYPES]},
        "upload_credentials": CREDENTIALS,
    },
    required=["name", "deployment"],
)
SOURCE_UPDATE = obj(
    {
        "name": NAME,
        "enabled": BOOLEAN,
        "deployment": obj(
            {
                "type": {"type": "string", "enum": list(dep.TYPES)},
                **COMMON_FIELDS,
                **{n: s for k in dep.TYPES for n, s in _type_fields(k).items()},
            },
            description="any fields to change; lists and objects are replaced whole",
        ),
        "upload_credentials": CREDENTIALS,
    }
)
PURGE = obj(
    {"url": URL, "sub_image": BOOLEAN, "source_id": STRING},
    required=["url"],
    description="source_id with sub_image true, and only then",
)
PURGE["if"] = {"properties": {"sub_image": {"const": True}}, "required": ["sub_image"]}
PURGE["then"] = {"required": ["source_id"]}
PURGE["else"] = {"not": {"required": ["source_id"]}}
REPORT_ATTRIBUTES = obj(
    {
        "completed": {
            **BOOLEAN,
            "description": "false from 00:00 UTC, when the day is finalised, until 01:00",
        },
        "files": {
            **array({"type": "string", "format": "uri"}),
            "description": "empty until the report is completed",
        },
        "period_end": {"type": "integer"},
        "period_start": {"type": "integer"},
        "report_key": STRING,
        "report_type": {"type": "string", "enum": list(REPORT_TYPES)},
    },
    description="sparse fieldsets may leave any member out",
)
ERROR = obj(
    {
        "errors": array(
            obj(
                {
                    "detail": STRING,
                    "id": STRING,
                    "meta": obj({"rule": STRING}),
                    "status": {"type": "string", "pattern": "^[1-5][0-9]{2}$"},
                    "title": STRING,
                },
                required=["detail", "id", "meta", "status", "title"],
            ),
            min_items=1,
        ),
        "jsonapi": {"type": "object"},
        "meta": {"type": "object"},
    },
    required=["errors", "jsonapi", "meta"],
)


def _sort(fields: frozenset[str]) -> Schema:
    one = f"-?(?:{'|'.join(sorted(fields))})"
    return {"type": "string", "pattern": f"^{one}(?:,{one})*$"}


def _page(number: str, size: str) -> list[dict[str, Any]]:
    return [
        query_param(number, {"type": "integer", "minimum": 0, "maximum": MAX_INDEX}),
        query_param(size, {"type": "integer", "minimum": 1, "maximum": MAX_PAGE_SIZE}),
    ]


def _filters(names: dict[str, Schema]) -> list[dict[str, Any]]:
    return [query_param(f"filter[{n}]", s) for n, s in names.items()]


BOOL_FILTER = {"type": "string", "enum": ["true", "false"]}
RANGE_FILTER = {"type": "string", "pattern": f"^(?:{RANGE.pattern})$"}
SOURCE_QUERY = [
    query_param("fields[sources]", STRING, "comma-separated attributes (dot notation)"),
    query_param("sort", _sort(SOURCE_SORTS)),
    *_page("page[number]", "page[size]"),
    *_filters({name: BOOL_FILTER if name == "enabled" else STRING for name in SOURCE_FILTERS}),
]
ASSET_QUERY = [
    query_param("fields[assets]", STRING),
    query_param("sort", _sort(ASSET_SORTS)),
    *_page("page[cursor]", "page[limit]"),
    *_filters(
        {
            "categories": STRING,
            "colors": STRING,
            "face_count": RANGE_FILTER,
            "has_frames": BOOL_FILTER,
            "keyword": STRING,
            "media_kind": STRING,
            "origin_path": STRING,
            "tags": STRING,
            **{
                f"warning_{k}": RANGE_FILTER
                for k in ("adult", "medical", "racy", "spoof", "violence")
            },
        }
    ),
]
REPORT_QUERY = [
    query_param("fields[reports]", STRING),
    query_param("sort", _sort(REPORT_SORTS)),
    *_page("page[number]", "page[size]"),
    *_filters({"completed": BOOL_FILTER, "report_type": STRING}),
]
SOURCE_ID = path_param("source_id", STRING)
# An origin path: segments of no control character, none empty, '.' or '..'.
SEGMENT = r"(?!\.\.?(?:/|$))[^/\x00-\x1f\x7f]+"
ORIGIN_PATH = path_param("path", {"type": "string", "pattern": f"^{SEGMENT}(?:/{SEGMENT})*$"})


def _errors(*statuses: str) -> dict[str, Any]:
    described = {
        "400": "a bad body or parameter",
        "401": "no API key, or one this account does not have",
        "403": "the key lacks the permission (or a client-generated id)",
        "404": "no such source, asset or report (or a report file before 01:00 UTC)",
        "405": "method not allowed, with Allow",
        "409": "a conflict: a domain another source uses, the same URL purged within the "
        "window, a source not deployed yet, a resource type or id other than the URL's",
        "413": "a body over the limit",
        "415": "a body that is not application/vnd.api+json",
        "429": "over the rate limit, with Retry-After",
        "502": "the origin or bucket failed, or its store cannot be reached (the detail "
        "names what is missing: an emulator, node, an account the emulator does not serve)",
    }
    return error_responses(described, ERROR, MEDIA_TYPE, ("401", "403", "405", "429", *statuses))


def _ok(description: str, data: Schema, status: str = "200") -> dict[str, Any]:
    return {status: response(description, _document(data), MEDIA_TYPE)}


def _json_op(
    operation_id: str, summary: str, responses: dict[str, Any], **kwargs: Any
) -> dict[str, Any]:
    return operation(operation_id, summary, responses, body_types=[MEDIA_TYPE], **kwargs)


def _rules(*rules: tuple[str, str]) -> list[Refusal]:
    return [Refusal(400, rule, why) for rule, why in rules]


def _source_operations() -> dict[str, Any]:
    one = _resource("sources", SOURCE_ATTRIBUTES)
    sources = "Sources"
    return {
        "/api/v1/sources": {
            "get": _json_op(
                "listSources",
                "List sources",
                {**_ok("the sources", array(one)), **_errors("400")},
                tag=sources,
                params=SOURCE_QUERY,
            ),
            "post": _json_op(
                "createSource",
                "Create (and deploy) a source",
                {**_ok("created, deploying", one, "201"), **_errors("400", "409", "413", "415")},
                tag=sources,
                params=[SOURCE_QUERY[0]],
                body=_request("sources", SOURCE_CREATE, with_id=False),
                refusals=_rules(
                    (dep.DEFAULT_PARAMS_RULE, "a default_params value the renderer would not take"),
                    (CREDENTIALS_RULE, "upload_credentials of another type than the source"),
                    (CREDENTIALS_REFUSED, "upload_credentials that cannot write to the bucket"),
                ),
            ),
        },
        "/api/v1/sources/{source_id}": {
            "get": _json_op(
                "getSource",
                "Get a source",
                {**_ok("the source", one), **_errors("404")},
                tag=sources,
                params=[SOURCE_ID, SOURCE_QUERY[0]],
            ),
            "patch": _json_op(
                "updateSource",
                "Update a source (a deployment change redeploys)",
                {**_ok("the source", one), **_errors("400", "404", "409", "413", "415")},
                tag=sources,
                params=[SOURCE_ID, SOURCE_QUERY[0]],
                body=_request("sources", SOURCE_UPDATE, with_id=True),
                refusals=_rules(
                    (
                        dep.TYPE_RULE,
                        "the deployment after the change lacks its type's fields or has another type's",
                    ),
                    (dep.DEFAULT_PARAMS_RULE, "a default_params value the renderer would not take"),
                    (CREDENTIALS_RULE, "upload_credentials of another type than the source"),
                    (CREDENTIALS_REFUSED, "upload_credentials that cannot write to the bucket"),
                ),
            ),
        },
        "/api/v1/purge": {
            "post": _json_op(
                "createPurge",
                "Purge every derivative of an image (and, for a sub-image, its parents)",
                {
                    **_ok("the purge", _resource("purges", obj({"purge_id": STRING}))),
                    **_errors("400", "409", "413", "415"),
                },
                tag="Purges",
                body=_request("purges", PURGE, with_id=False),
                refusals=_rules(
                    (FOREIGN_DOMAIN, "a URL on no domain of this account's sources"),
                    (UNKNOWN_SOURCE, "a sub-image purge naming no source"),
                    (EDGE_REFUSED, "an invalidation the edge refused"),
                ),
            )
        },
    }


def _asset_operations() -> dict[str, Any]:
    one = _resource("assets", ASSET_ATTRIBUTES)
    tag = "Assets"
    refusals = _rules(
        (NOT_AN_IMAGE, "bytes that are not an image imgix accepts"),
        (CONTENT_TYPE, "a Content-Type other than what the bytes are"),
        (KEY_TOO_LONG, "a path over 1,024 bytes with the source's prefix"),
        (UPLOAD_UNSUPPORTED, "a Web Folder or Web Proxy source"),
        (NO_CREDENTIALS, "a source without working upload_credentials (allows_upload false)"),
    )
    prose_path = {
        **ORIGIN_PATH,
        "schema": {**ORIGIN_PATH["schema"], "not": {"pattern": "^(?:upload|assets)(?:/|$)"}},
    }
    uploads = {
        form: operation(
            operation_id,
            f"Upload an image to an S3, GCS or Azure source at origin_path ({form} form)",
            {**_ok("the asset", one), **_errors("400", "404", "409", "413", "502")},
            tag=tag,
            params=[SOURCE_ID, path],
            body={"type": "string", "format": "binary"},
            body_types=["application/octet-stream"],
            refusals=refusals,
        )
        for form, operation_id, path in (
            ("table", "uploadAsset", ORIGIN_PATH),
            ("prose", "uploadAssetAtPath", prose_path),
        )
    }
    paths: dict[str, Any] = {
        "/api/v1/sources/{source_id}/assets/refresh/{path}": {
            "post": operation(
                "refreshAsset",
                "Refetch, reprocess and purge an asset",
                {**_ok("the asset", one), **_errors("404", "409", "502")},
                tag=tag,
                params=[SOURCE_ID, ORIGIN_PATH],
            )
        },
        "/api/v1/sources/{source_id}/upload/{path}": {"post": uploads["table"]},
        "/api/v1/sources/{source_id}/{path}": {"post": uploads["prose"]},
    }
    not_refresh = {
        **ORIGIN_PATH,
        "schema": {**ORIGIN_PATH["schema"], "not": {"pattern": "^refresh/"}},
    }
    for base, suffix, origin_path in (
        ("/api/v1/sources/{source_id}/assets", "", not_refresh),
        ("/api/v1/assets/{source_id}", "ById", ORIGIN_PATH),
    ):
        paths[base] = {
            "get": _json_op(
                f"listAssets{suffix}",
                "List a source's assets",
                {**_ok("the assets", array(one)), **_errors("400", "404")},
                tag=tag,
                params=[SOURCE_ID, *ASSET_QUERY],
            )
        }
        paths[base + "/{path}"] = {
            "get": _json_op(
                f"getAsset{suffix}",
                "Get an asset",
                {**_ok("the asset", one), **_errors("404")},
                tag=tag,
                params=[SOURCE_ID, origin_path, ASSET_QUERY[0]],
            ),
            "patch": _json_op(
                f"updateAsset{suffix}",
                "Update an asset's user fields",
                {**_ok("the asset", one), **_errors("400", "404", "409", "413", "415")},
                tag=tag,
                params=[SOURCE_ID, origin_path, ASSET_QUERY[0]],
                body=_request("assets", ASSET_UPDATE, with_id=True),
            ),
        }
    return paths


def _report_operations() -> dict[str, Any]:
    one = _resource("reports", REPORT_ATTRIBUTES)
    report_id = path_param("report_id", STRING)
    csv = {"200": response("the report", {"type": "string"}, "text/csv"), **_errors("404")}
    return {
        "/api/v1/reports": {
            "get": _json_op(
                "listReports",
                "List reports",
                {**_ok("the reports", array(one)), **_errors("400")},
                tag="Reports",
                params=REPORT_QUERY,
            )
        },
        "/api/v1/reports/{report_id}": {
            "get": _json_op(
                "getReport",
                "Get a report",
                {**_ok("the report", one), **_errors("404")},
                tag="Reports",
                params=[report_id, REPORT_QUERY[0]],
            )
        },
        "/api/v1/reports/{report_id}/files/{n}.csv": {
            "get": operation(
                "downloadReport",
                "A report's CSV file (n is 0)",
                csv,
                tag="Reports",
                params=[report_id, path_param("n", {"type": "string", "pattern": "^[0-9]+$"})],
            )
        },
    }


def build_document() -> dict[str, Any]:
    return document(
        "imgix Management API (cdnsim edge)",
        "1",
        "Sources, purges, Image Manager assets and reports in JSON:API (application/"
        "vnd.api+json), as imgix documents them. Every call needs an API key "
        "(Authorization: Bearer KEY) with the operation's permission: Sources, Purge, Image "
        "Manager Browse (asset reads), Image Manager Edit (asset changes), Analytics. Errors "
        "are JSON:API error documents; list filters also take custom:<key> for assets.",
        {**_source_operations(), **_asset_operations(), **_report_operations()},
        schemas={},
        security_schemes={"ApiKey": {"type": "http", "scheme": "bearer"}},
        security=["ApiKey"],
    )
