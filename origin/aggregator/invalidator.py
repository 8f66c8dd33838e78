"""Invalidating one pack: its S3 variants and its edge paths. Shared by the aggregator's
flush and the platform API's immediate DELETE."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from common.events import EventLog
from origin.aggregator.settings import AggregatorSettings
from origin.serving.variant_key import variant_prefix
from origin.storage import Storage

log = logging.getLogger(__name__)


class EdgeBusy(Exception):
    """The edge refused an invalidation for now (too many in progress)."""


class EdgeInvalidations:
    """boto3's own CloudFront client pointed at the edge: the edge is a drop-in CloudFront."""

    def __init__(self, control_url: str, distribution_id: str) -> None:
        self.distribution_id = distribution_id
        self._client: Any = boto3.session.Session().client(
            "cloudfront",
            endpoint_url=control_url,
            region_name="us-east-1",
            aws_access_key_id="cdnsim",
            aws_secret_access_key="cdnsim",
            config=Config(
                retries={"max_attempts": 2, "mode": "standard"}, connect_timeout=2, read_timeout=10
            ),
        )

    def create(self, paths: Sequence[str], caller_reference: str) -> str:
        """Blocking: request an invalidation; the same reference and paths return the same one."""
        try:
            response = self._client.create_invalidation(
                DistributionId=self.distribution_id,
                InvalidationBatch={
                    "Paths": {"Quantity": len(paths), "Items": list(paths)},
                    "CallerReference": caller_reference,
                },
            )
        except ClientError as exc:
            if exc.response["Error"]["Code"] == "TooManyInvalidationsInProgress":
                raise EdgeBusy(str(exc)) from None
            raise
        return str(response["Invalidation"]["Id"])


class PackInvalidator:
    def __init__(
        self,
        storage: Storage,
        events: EventLog,
        settings: AggregatorSettings,
        edge: EdgeInvalidations | None,
    ) -> None:
        self.storage = storage
        self.events = events
        self.settings = settings
        self.edge = edge

    def paths(self, packs: Sequence[str]) -> list[str]:
        return [self.settings.path_template.format(pack=pack) for pack in packs]

    async def delete_variants(self, tenant: str, pack: str, *, by: str) -> int:
        count = await self.storage.delete_prefix(
            self.storage.settings.variants_bucket, variant_prefix(tenant, pack)
        )
        self.events.append(
            "aggregator", "variants_deleted", tenant=tenant, pack=pack, count=count, by=by
        )
        return count

    async def invalidate_edge(
        self, paths: Sequence[str], caller_reference: str, *, by: str
    ) -> str | None:
        """Request an edge invalidation; None when no edge is configured. Raises EdgeBusy."""
        if self.edge is None:
            return None
        try:
            invalidation_id = await self.storage.run(self.edge.create, paths, caller_reference)
        except EdgeBusy:
            self.events.append("aggregator", "edge_invalidation_refused", paths=list(paths), by=by)
            raise
        except (BotoCoreError, ClientError) as exc:
            self.events.append(
                "aggregator", "edge_invalidation_failed", paths=list(paths), error=str(exc), by=by
            )
            raise
        self.events.append(
            "aggregator",
            "edge_invalidation_requested",
            id=invalidation_id,
            paths=list(paths),
            callerReference=caller_reference,
            by=by,
        )
        return invalidation_id
