"""Aggregator settings: the production bug switches among them (all off by default), and
one fix a team would ship over the seeds' behaviour (off by default too)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class AggregatorSettings:
    interval: float = 300.0  # simulated seconds between flushes, aligned to the clock
    paths_per_request: int = 15  # CloudFront accepts at most 15 wildcard paths in progress
    path_template: str = "/api/v2/img/{pack}*"
    edge_control_url: str | None = None  # the edge's CloudFront-compatible API; None: S3 only
    distribution_id: str = "ECDNSIM000001"
    retry_interval: float = 30.0  # after the edge refused a batch (too many in progress)
    # -- switches that reproduce production bugs (see README, "Bug switches") --------
    # Delete S3 variants only `s3_delete_gap` seconds after the edge invalidation was
    # requested: a POP that refetches in between re-caches the old variant for a full TTL.
    delete_s3_after_edge: bool = False
    s3_delete_gap: float = 120.0
    # The edge is invalidated but S3 variants are never deleted (say the pipeline's role
    # lacks s3:DeleteObject): a `date=` cache buster is answered from the stale variant.
    keep_s3_variants: bool = False
    # Forced location-config changes invalidate nothing.
    ignore_location_config_changes: bool = False
    # A flush takes `flush_duration` simulated seconds, and with the switch on the stream
    # checkpoint jumps to the newest record at its end: writes landing during it are lost.
    drop_writes_during_flush: bool = False
    flush_duration: float = 0.0
    # -- a fix (see README, "Bug switches"): the seeds do not make a location's fallback
    # change a trigger, so POPs serve the old fallback's image for their TTL. On: it queues
    # every pack of the tenant, as a forced config change does.
    invalidate_on_fallback_change: bool = False

    def __post_init__(self) -> None:
        if self.interval <= 0 or self.retry_interval <= 0:
            raise ValueError("intervals must be positive")
        if not 1 <= self.paths_per_request <= 3000:
            raise ValueError("paths_per_request must be 1..3000")
        if "{pack}" not in self.path_template or not self.path_template.startswith("/"):
            raise ValueError("path_template must start with / and contain {pack}")
