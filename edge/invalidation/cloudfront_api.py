"""HTTP for invalidations: CloudFront's REST API (so boto3 works unchanged) and JSON
progress routes for the control plane.

CloudFront routes (API version 2020-05-31, REST-XML):
- ``POST /2020-05-31/distribution/{DistributionId}/invalidation``: CreateInvalidation
  (201, ``Location`` header, the Invalidation);
- ``GET  /2020-05-31/distribution/{DistributionId}/invalidation/{Id}``: GetInvalidation;
- ``GET  /2020-05-31/distribution/{DistributionId}/invalidation``: ListInvalidations
  (``Marker``, ``MaxItems``).
Requests must carry an ``Authorization`` header (boto3 signs with SigV4); any signature
is accepted, since this is a local emulator on loopback. Errors are AWS's XML
``ErrorResponse``.

JSON routes: ``GET /_edge/invalidations``, ``GET /_edge/invalidations/{Id}`` (per-POP
progress) and ``POST /_edge/purge`` ``{"paths": [...]}``, which creates an invalidation.
"""

from __future__ import annotations

import functools
import logging
import re
import uuid
from collections.abc import Awaitable, Callable

from aiohttp import web

from common.errors import ApiError, BadRequest, error_response, read_json_object
from edge.invalidation.cloudfront_xml import (
    error_xml,
    invalidation_list_xml,
    invalidation_xml,
    parse_invalidation_batch,
)
from edge.invalidation.errors import (
    BatchTooLarge,
    InvalidArgument,
    MissingAuthenticationToken,
    NoSuchDistribution,
)
from edge.invalidation.service import InvalidationService

log = logging.getLogger(__name__)

API_PREFIX = "/2020-05-31/distribution/{DistributionId}/invalidation"
# 3,000 paths of a few hundred characters each fit with room to spare.
MAX_BATCH_BYTES = 4 * 1024 * 1024
XML_TYPE = "text/xml"
_MAX_ITEMS = re.compile(r"^[0-9]{1,9}$")

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


def add_routes(app: web.Application, service: InvalidationService) -> None:
    """Add the CloudFront invalidation API and the JSON progress routes for ``service``."""
    cloudfront = _CloudFrontHandlers(service)
    control = _ControlHandlers(service)
    app.router.add_post(API_PREFIX, _aws_errors(cloudfront.create_invalidation))
    app.router.add_get(API_PREFIX, _aws_errors(cloudfront.list_invalidations))
    app.router.add_get(API_PREFIX + "/{Id}", _aws_errors(cloudfront.get_invalidation))
    app.router.add_get("/_edge/invalidations", _json_errors(control.list_invalidations))
    app.router.add_get("/_edge/invalidations/{Id}", _json_errors(control.get_invalidation))
    app.router.add_post("/_edge/purge", _json_errors(control.purge))


class _CloudFrontHandlers:
    def __init__(self, service: InvalidationService) -> None:
        self.service = service

    async def create_invalidation(self, request: web.Request) -> web.Response:
        self._check_distribution(request)
        paths, caller_reference = parse_invalidation_batch(
            await _read_limited(request, MAX_BATCH_BYTES)
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
        if not _MAX_ITEMS.match(raw_max):
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
        body = await read_json_object(request, 1024 * 1024)
        paths, reference = body.get("paths"), body.get("callerReference")
        if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
            raise BadRequest(
                '"paths" must be a list of strings, e.g. ["/exact/url?x=1", "/prefix*"]'
            )
        if reference is not None and not isinstance(reference, str):
            raise BadRequest('"callerReference" must be a string')
        invalidation = await self.service.purge(paths, reference)
        return web.json_response(invalidation.to_json(), status=201)


def _aws_errors(handler: Handler) -> Handler:
    """Authentication and AWS's XML error shape for one CloudFront route."""

    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        request_id = str(uuid.uuid4())
        try:
            if not (request.headers.get("Authorization") or "X-Amz-Signature" in request.query):
                raise MissingAuthenticationToken("Request is missing Authentication Token")
            response = await handler(request)
        except ApiError as error:
            response = _xml(error_xml(error, request_id), status=error.status)
        except Exception:
            log.exception("unhandled error on %s %s", request.method, request.path)
            internal = ApiError("internal error", status=500, code="InternalError")
            response = _xml(error_xml(internal, request_id), status=500)
        response.headers["x-amz-request-id"] = request_id
        return response

    return wrapped


def _json_errors(handler: Handler) -> Handler:
    # The control app may or may not install common.errors.json_errors; these routes give
    # the JSON error shape either way.
    @functools.wraps(handler)
    async def wrapped(request: web.Request) -> web.StreamResponse:
        try:
            return await handler(request)
        except ApiError as error:
            return error_response(error)

    return wrapped


async def _read_limited(request: web.Request, limit: int) -> bytes:
    # request.read() obeys the app's client_max_size, which belongs to the app; this route
    # has its own limit and its own (XML) error.
    if request.content_length is not None and request.content_length > limit:
        raise BatchTooLarge(f"the request body is larger than {limit} bytes")
    chunks, size = [], 0
    async for chunk in request.content.iter_chunked(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise BatchTooLarge(f"the request body is larger than {limit} bytes")
        chunks.append(chunk)
    return b"".join(chunks)


def _xml(body: bytes, *, status: int = 200, headers: dict[str, str] | None = None) -> web.Response:
    return web.Response(body=body, status=status, content_type=XML_TYPE, headers=headers)
