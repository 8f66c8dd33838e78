"""Invalidations that take time: per-POP delays, CloudFront's REST API, purge by URL or prefix."""

from edge.invalidation.cloudfront_api import add_routes
from edge.invalidation.delays import DelayModel
from edge.invalidation.paths import InvalidPath, path_matches, validate_path
from edge.invalidation.service import (
    Invalidation,
    InvalidationLimits,
    InvalidationService,
    PurgeTarget,
)

__all__ = [
    "DelayModel",
    "InvalidPath",
    "Invalidation",
    "InvalidationLimits",
    "InvalidationService",
    "PurgeTarget",
    "add_routes",
    "path_matches",
    "validate_path",
]
