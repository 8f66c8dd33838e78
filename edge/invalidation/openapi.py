"""The OpenAPI 3.1 document of the CloudFront-compatible invalidation API, served at
``/2020-05-31/openapi.json`` on the control app.

Bodies are CloudFront's REST-XML (API version 2020-05-31, the shapes of botocore's
``cloudfront/2020-05-31/service-2``), described with OpenAPI's ``xml`` keywords: element
names, the CloudFront namespace, wrapped lists (``Items`` of ``Path``). What we answer
where AWS is silent: every refusal is AWS's ``ErrorResponse`` with CloudFront's code.
"""

from __future__ import annotations

from typing import Any

from common.openapi import (
    Refusal,
    Schema,
    array,
    document,
    obj,
    operation,
    path_param,
    query_param,
    ref,
    response,
)
from edge.invalidation.cloudfront_xml import NAMESPACE
from edge.invalidation.model import COMPLETED, IN_PROGRESS
from edge.invalidation.paths import MAX_PATH_LENGTH
from edge.invalidation.service import CALLER_REFERENCE_PATTERN, MAX_CALLER_REFERENCE

XML_IN = "application/xml"
XML_OUT = "text/xml"
API_VERSION = "2020-05-31"
DOCUMENT_PATH = f"/{API_VERSION}/openapi.json"
# What validate_path accepts: a leading '/', printable ASCII without spaces, '*' only last.
PATH_PATTERN = r"^/[!-)+-~]*\*?$"


def _element(name: str, schema: Schema) -> Schema:
    return {**schema, "xml": {"name": name}}


def _text(**constraints: Any) -> Schema:
    return {"type": "string", **constraints}


def _schemas(max_paths: int) -> dict[str, Schema]:
    path = _element("Path", _text(minLength=1, maxLength=MAX_PATH_LENGTH, pattern=PATH_PATTERN))
    items = {**array(path, min_items=1, max_items=max_paths), "xml": {"wrapped": True}}
    paths = obj(
        {"Quantity": {"type": "integer", "minimum": 1, "maximum": max_paths}, "Items": items},
        required=["Quantity", "Items"],
        description="Quantity is the number of Items (InconsistentQuantities otherwise).",
    )
    batch = obj(
        {
            "Paths": paths,
            "CallerReference": _text(
                minLength=1, maxLength=MAX_CALLER_REFERENCE, pattern=CALLER_REFERENCE_PATTERN
            ),
        },
        required=["Paths", "CallerReference"],
    )
    batch["xml"] = {"name": "InvalidationBatch", "namespace": NAMESPACE}
    status = _text(enum=[IN_PROGRESS, COMPLETED])
    invalidation = obj(
        {
            "Id": _text(),
            "Status": status,
            "CreateTime": _text(format="date-time"),
            "InvalidationBatch": ref("InvalidationBatch"),
        },
        required=["Id", "Status", "CreateTime", "InvalidationBatch"],
    )
    invalidation["xml"] = {"name": "Invalidation", "namespace": NAMESPACE}
    summary = _element(
        "InvalidationSummary",
        obj(
            {"Id": _text(), "CreateTime": _text(format="date-time"), "Status": status},
            required=["Id", "CreateTime", "Status"],
        ),
    )
    listing = obj(
        {
            "Marker": _text(),
            "NextMarker": _text(),
            "MaxItems": {"type": "integer", "minimum": 1, "maximum": 1000},
            "IsTruncated": {"type": "boolean"},
            "Quantity": {"type": "integer", "minimum": 0},
            "Items": {**array(summary), "xml": {"wrapped": True}},
        },
        required=["Marker", "MaxItems", "IsTruncated", "Quantity"],
    )
    listing["xml"] = {"name": "InvalidationList", "namespace": NAMESPACE}
    error = obj(
        {
            "Error": obj(
                {
                    "Type": _text(enum=["Sender", "Receiver"]),
                    "Code": _text(),
                    "Message": _text(),
                },
                required=["Type", "Code", "Message"],
            ),
            "RequestId": _text(),
        },
        required=["Error", "RequestId"],
    )
    error["xml"] = {"name": "ErrorResponse", "namespace": NAMESPACE}
    return {
        "InvalidationBatch": batch,
        "Invalidation": invalidation,
        "InvalidationList": listing,
        "ErrorResponse": error,
    }


def _error(description: str) -> dict[str, Any]:
    return response(description, ref("ErrorResponse"), XML_OUT)


# What the invalidation service refuses in a request that matches the document (the
# control API's /_edge/purge goes through the same service).
INVALIDATION_REFUSALS = [
    Refusal(400, "TooManyInvalidationsInProgress",
            "at most 15 wildcard and 3,000 file paths may be in progress"),
    Refusal(409, "InvalidationBatchAlreadyExists",
            "a caller reference already used with other paths"),
]  # fmt: skip
REQUEST_ID = {
    "x-amz-request-id": {"schema": {"type": "string"}, "description": "names this request"}
}
ERRORS = {
    "400": _error(
        "MalformedXML, MissingBody, InvalidArgument, InconsistentQuantities, "
        "TooManyInvalidationsInProgress"
    ),
    "403": _error("MissingAuthenticationToken (not signed), IncompleteSignature (not SigV4)"),
    "404": _error("NoSuchDistribution, NoSuchInvalidation; NotFound for any other path"),
    "405": _error("MethodNotAllowed, with Allow"),
}


def _operations(distribution_id: str, max_paths: int) -> dict[str, Any]:
    distribution = path_param(
        "DistributionId",
        {"type": "string", "enum": [distribution_id]},
        "this edge's one distribution",
    )
    base = f"/{API_VERSION}/distribution/{{DistributionId}}/invalidation"
    created = response(
        "the invalidation, InProgress",
        ref("Invalidation"),
        XML_OUT,
        headers={**REQUEST_ID, "Location": {"schema": {"type": "string", "format": "uri"}}},
    )
    create = operation(
        "CreateInvalidation",
        "Create an invalidation",
        {
            "201": created,
            "200": response(
                "the same CallerReference and paths: the existing one", ref("Invalidation"), XML_OUT
            ),
            **ERRORS,
            "409": _error("InvalidationBatchAlreadyExists: the CallerReference with other paths"),
            "413": _error(f"BatchTooLarge: over {max_paths} paths, or a body over 4 MiB"),
        },
        tag="CloudFront",
        params=[distribution],
        body=ref("InvalidationBatch"),
        body_types=[XML_IN],
        refusals=INVALIDATION_REFUSALS,
    )
    listing = operation(
        "ListInvalidations",
        "List invalidations, newest first",
        {"200": response("a page", ref("InvalidationList"), XML_OUT, headers=REQUEST_ID), **ERRORS},
        tag="CloudFront",
        params=[
            distribution,
            query_param("Marker", {"type": "string"}, "the NextMarker of the previous page"),
            query_param("MaxItems", {"type": "integer", "minimum": 1, "maximum": 1000}),
        ],
        refusals=[
            Refusal(400, "InvalidArgument", "Marker names no invalidation of this distribution")
        ],
    )
    get = operation(
        "GetInvalidation",
        "Get an invalidation",
        {
            "200": response("the invalidation", ref("Invalidation"), XML_OUT, headers=REQUEST_ID),
            **ERRORS,
        },
        tag="CloudFront",
        params=[distribution, path_param("Id", {"type": "string", "maxLength": 64})],
    )
    return {base: {"post": create, "get": listing}, base + "/{Id}": {"get": get}}


def build_document(distribution_id: str, max_paths: int = 3000) -> dict[str, Any]:
    return document(
        "CloudFront invalidations (cdnsim edge)",
        API_VERSION,
        "CloudFront's invalidation API in AWS's REST-XML, as boto3 and the AWS CLI speak it. "
        "Requests must be signed (any SigV4 signature is accepted: a local emulator). Every "
        "answer carries x-amz-request-id; errors are AWS's ErrorResponse.",
        _operations(distribution_id, max_paths),
        schemas=_schemas(max_paths),
        security_schemes={
            "SigV4": {
                "type": "apiKey",
                "in": "header",
                "name": "Authorization",
                "description": "AWS Signature Version 4: 'AWS4-HMAC-SHA256 Credential=KEY/"
                "DATE/REGION/cloudfront/aws4_request, SignedHeaders=…, Signature=(64 hex "
                "digits)'. Its form is checked (403 IncompleteSignature), not its value: a "
                "local emulator shares no secret. A presigned URL's X-Amz-Signature (64 hex "
                "digits) does as well.",
            },
        },
        security=["SigV4"],
    )
