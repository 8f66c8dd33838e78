"""The OpenAPI 3.1 document the origin serves at /openapi.json."""

from origin.openapi.document import build_document

__all__ = ["build_document"]
