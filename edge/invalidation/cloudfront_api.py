"""HTTP for invalidations: CloudFront's REST API (so boto3 works unchanged) and JSON
progress routes for the control plane.

CloudFront routes (API version 2020-05-31, REST-XML):
- ``POST /2020-05-31/distribution/{DistributionId}/invalidation``: CreateInvalidation
  (201, ``Location`` header, the Invalidation);
- ``GET  /2020-05-31/distribution/{DistributionId}/invalidation/{Id}``: GetInvalidation;
- ``GET  /2020-05-31/distribution/{DistributionId}/invalidation``: ListInvalidations
  (``Marker``, ``MaxItems``).
Requests must carry an ``Authorization`` header (boto3 signs with SigV4); any signature
is accepted, since this is a local emulator on loopback. These routes are a sub-app whose
errors (ours, aiohttp's, a broken body, the unexpected) are AWS's XML ``ErrorResponse``,
through :func:`common.errors.error_middleware`; every answer carries ``x-amz-request-id``.

JSON routes: ``GET /_edge/invalidations``, ``GET /_edge/invalidations/{Id}`` (per-POP
progress) and ``POST /_edge/purge`` ``{"paths": [...]}``, which creates an invalidation.
They answer errors in the hosting app's shape: install :data:`common.errors.json_errors`.
"""

from __future__ import annotations

import re
import uuid

from aiohttp import web

from common.bodies import read_json_object, read_request
from common.errors import ApiError, BadRequest, Handler, error_middleware
from common.openapi import document_route
from edge.invalidation.cloudfront_xml import (
    error_xml,
    invalidation_list_xml,
    invalidation_xml,
    parse_invalidation_batch,
)
from edge.invalidation.errors import (
    IncompleteSignature,
    InvalidArgument,
    InvalidationError,
    MissingAuthenticationToken,
    NoSuchDistribution,
)
from edge.invalidation.openapi import DOCUMENT_PATH, build_document
from edge.invalidation.service import InvalidationService

API_VERSION = "/2020-05-31"
API_PREFIX = API_VERSION + "/distribution/{DistributionId}/invalidation"
_ROUTE = API_PREFIX.removeprefix(API_VERSION)
# 3,000 paths of a few hundred characters each fit with room to spare.
MAX_BATCH_BYTES = 4 * 1024 * 1024
XML_TYPE = "text/xml"
_MAX_ITEMS = re.compile(r"^[0-9]{1,9}$")
MAX_PURGE_BYTES = 1024 * 1024
REQUEST_ID = "x-amz-request-id"
# The form of a SigV4 Authorization header for CloudFront (botocore writes exactly this).
SIGV4 = re.compile(
    r"AWS4-HMAC-SHA256 Credential=[^/\s,]+/[0-9]{8}/[^/\s,]+/cloudfront/aws4_request, ?"
    r"SignedHeaders=[a-z0-9;-]+, ?Signature=[0-9a-f]{64}"
)
_HEX_SIGNATURE = re.compile("[0-9a-f]{64}")
# CloudFront's codes for failures that are not its own domain errors.
_AWS_CODES = {
    400: "InvalidArgument",
    403: "AccessDenied",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    413: "BatchTooLarge",
    415: "UnsupportedMediaType",
}


def add_routes(app: web.Application, service: InvalidationService) -> None:
    """Add the CloudFront invalidation API (a sub-app under ``/2020-05-31``) and the JSON
    progress routes for ``service``."""
    cloudfront = _CloudFrontHandlers(service)
    control = _ControlHandlers(service)
    api = web.Application(
        middlewares=[_aws_request_id, error_middleware(render_aws_error), _aws_signed]
    )
    api.router.add_post(_ROUTE, cloudfront.create_invalidation)
    api.router.add_get(_ROUTE, cloudfront.list_invalidations)
    api.router.add_get(_ROUTE + "/{Id}", cloudfront.get_invalidation)
    # The contract is public: added before the sub-app, so it needs no signature.
    document = build_document(service.distribution_id, service.limits.max_paths_per_batch)
    app.router.add_routes([document_route(DOCUMENT_PATH, document)])
    app.add_subapp(API_VERSION, api)
    app.router.add_get("/_edge/invalidations", control.list_invalidations)
    app.router.add_get("/_edge/invalidations/{Id}", control.get_invalidation)
    app.router.add_post("/_edge/purge", control.purge)


def render_aws_error(request: web.Request, error: ApiError) -> web.Response:
    """AWS's REST-XML ``ErrorResponse``: CloudFront's own code, or the one AWS uses for the
    status (``InternalError`` for a 5xx)."""
    code = error.code if isinstance(error, InvalidationError) else _aws_code(error.status)
    request_id = str(uuid.uuid4())
    shaped = ApiError(error.message, status=error.status, code=code)
    headers = {**error.headers, REQUEST_ID: request_id}
    return _xml(error_xml(shaped, request_id), status=error.status, headers=headers)


def _aws_code(status: int) -> str:
    if status >= 500:
        return "ServiceUnavailable" if status == 503 else "InternalError"
    return _AWS_CODES.get(status, "InvalidArgument")


@web.middleware
async def _aws_signed(request: web.Request, handler: Handler) -> web.StreamResponse:
    """A request must be signed with SigV4 (header or presigned URL). The signature is not
    verified (no secret is shared with a local emulator), but its form is: a client that
    does not sign, or signs for another service, is told so as AWS would."""
    authorization = request.headers.get("Authorization")
    signature = request.query.get("X-Amz-Signature")
    if authorization is None and signature is None:
        raise MissingAuthenticationToken("Request is missing Authentication Token")
    if not (SIGV4.fullmatch(authorization or "") or _HEX_SIGNATURE.fullmatch(signature or "")):
        raise IncompleteSignature(
            "the request signature does not conform to AWS standards: "
            "AWS4-HMAC-SHA256 Credential=KEY/DATE/REGION/cloudfront/aws4_request, "
            "SignedHeaders=…, Signature=(64 hex digits)"
        )
    return await handler(request)


@web.middleware
async def _aws_request_id(request: web.Request, handler: Handler) -> web.StreamResponse:
    response = await handler(request)
    response.headers.setdefault(REQUEST_ID, str(uuid.uuid4()))
    return response


class _CloudFrontHandlers:
    def __init__(self, service: InvalidationService) -> None:
        self.service = service

    async def create_invalidation(self, request: web.Request) -> web.Response:
        self._check_distribution(request)
        paths, caller_reference = parse_invalidation_batch(
            await read_request(request, MAX_BATCH_BYTES)
        )
        invalidation = self.service.create(paths, caller_reference)
        location = f"{request.url.origin()}{request.path}/{invalidation.id}"
        return _xml(invalidation_xml(invalidation), status=201, headers={"Location": str(location)})

    async def get_invalidation(self, request: web.Request) -> web.Response:
        self._check_distribution(request)
        return _xml(invalidation_xml(self.service.get(request.match_info["Id"])))

    async def list_invalidations(self, request: web.Request) -> web.Response:
        self._check_distribution(request)
        raw_max = request.query.get("MaxItems", "100")
        if not _MAX_ITEMS.fullmatch(raw_max):
            raise InvalidArgument(f"MaxItems must be a positive integer, not {raw_max[:40]!r}")
        page = self.service.list(request.query.get("Marker") or None, int(raw_max))
        return _xml(invalidation_list_xml(page))

    def _check_distribution(self, request: web.Request) -> None:
        requested = request.match_info["DistributionId"]
        if requested != self.service.distribution_id:
            raise NoSuchDistribution(f"the distribution {requested[:64]!r} does not exist")


class _ControlHandlers:
    def __init__(self, service: InvalidationService) -> None:
        self.service = service

    async def list_invalidations(self, request: web.Request) -> web.Response:
        page = self.service.list(max_items=1000)
        return web.json_response(
            {
                "distributionId": self.service.distribution_id,
                "invalidations": [i.to_json() for i in page.items],
            }
        )

    async def get_invalidation(self, request: web.Request) -> web.Response:
        return web.json_response(self.service.get(request.match_info["Id"]).to_json())

    async def purge(self, request: web.Request) -> web.Response:
        body = await read_json_object(request, MAX_PURGE_BYTES, ("paths", "callerReference"))
        paths, reference = body.get("paths"), body.get("callerReference")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise BadRequest(
                '"paths" must be a list of strings, e.g. ["/exact/url?x=1", "/prefix*"]'
            )
        if "callerReference" in body and not isinstance(reference, str):
            raise BadRequest('"callerReference" must be a string')
        invalidation = await self.service.purge(paths, reference)
        return web.json_response(invalidation.to_json(), status=201)


def _xml(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=body, status=status, content_type=XML_TYPE, headers=headers)
