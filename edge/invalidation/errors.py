"""CloudFront's error codes for invalidation requests, as :class:`common.errors.ApiError`.

The CloudFront routes render them in AWS's XML error shape; the JSON control routes in
our ``{"code", "message", "status"}`` shape. Codes and statuses are those of the
CloudFront 2020-05-31 API model.
"""

from __future__ import annotations

from common.errors import ApiError


class InvalidationError(ApiError):
    """A refusal with CloudFront's error code; rendered as AWS XML or as our JSON shape."""


class InvalidArgument(InvalidationError):
    status, code = 400, "InvalidArgument"


class MalformedXML(InvalidationError):
    status, code = 400, "MalformedXML"


class MissingBody(InvalidationError):
    status, code = 400, "MissingBody"


class InconsistentQuantities(InvalidationError):
    status, code = 400, "InconsistentQuantities"


class TooManyInvalidationsInProgress(InvalidationError):
    status, code = 400, "TooManyInvalidationsInProgress"


class MissingAuthenticationToken(InvalidationError):
    status, code = 403, "MissingAuthenticationToken"


class IncompleteSignature(InvalidationError):
    status, code = 403, "IncompleteSignature"


class NoSuchDistribution(InvalidationError):
    status, code = 404, "NoSuchDistribution"


class NoSuchInvalidation(InvalidationError):
    status, code = 404, "NoSuchInvalidation"


class InvalidationBatchAlreadyExists(InvalidationError):
    status, code = 409, "InvalidationBatchAlreadyExists"


class BatchTooLarge(InvalidationError):
    status, code = 413, "BatchTooLarge"
