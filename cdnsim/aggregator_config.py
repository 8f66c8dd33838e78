"""Aggregator settings (bug switches included) from the command line."""

from __future__ import annotations

import argparse

from cdnsim.usage import at_least, http_url, non_negative_float, positive_float
from origin.aggregator.settings import AggregatorSettings


def add_aggregator_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("invalidation pipeline")
    group.add_argument(
        "--aggregator-interval",
        type=positive_float,
        default=300.0,
        help="simulated seconds between flushes (default 300)",
    )
    group.add_argument(
        "--paths-per-request",
        type=at_least(1, 3000),
        default=15,
        help="wildcard paths per edge invalidation (default 15)",
    )
    group.add_argument(
        "--edge-control",
        type=http_url,
        help="URL of the edge's control API (CloudFront-compatible invalidations)",
    )
    group.add_argument(
        "--distribution-id", default="ECDNSIM000001", help="the edge distribution to invalidate"
    )
    bugs = parser.add_argument_group(
        "bug switches (reproduce production stale-image bugs; all off by default)"
    )
    bugs.add_argument(
        "--bug-s3-delete-after-edge",
        type=non_negative_float,
        metavar="GAP",
        default=None,
        help="delete S3 variants GAP seconds after the edge invalidation instead of before",
    )
    bugs.add_argument(
        "--bug-keep-s3-variants",
        action="store_true",
        help="invalidate the edge but never delete S3 variants (a date= buster gets the old image)",
    )
    bugs.add_argument(
        "--bug-ignore-location-config-changes",
        action="store_true",
        help="forced location-config changes invalidate nothing",
    )
    bugs.add_argument(
        "--bug-accept-not-in-key",
        action="store_true",
        help="the origin negotiates the format on Accept but says nothing (no Vary) and the "
        "edge leaves Accept out of the key: one browser's format is cached for all",
    )
    bugs.add_argument(
        "--bug-drop-writes-during-flush",
        type=non_negative_float,
        metavar="DURATION",
        default=None,
        help="flushes take DURATION seconds and writes landing meanwhile are never invalidated",
    )


def aggregator_settings_from_args(args: argparse.Namespace) -> AggregatorSettings:
    return AggregatorSettings(
        interval=args.aggregator_interval,
        paths_per_request=args.paths_per_request,
        edge_control_url=args.edge_control,
        distribution_id=args.distribution_id,
        delete_s3_after_edge=args.bug_s3_delete_after_edge is not None,
        s3_delete_gap=args.bug_s3_delete_after_edge or 0.0,
        keep_s3_variants=args.bug_keep_s3_variants,
        ignore_location_config_changes=args.bug_ignore_location_config_changes,
        drop_writes_during_flush=args.bug_drop_writes_during_flush is not None,
        flush_duration=args.bug_drop_writes_during_flush or 0.0,
    )
