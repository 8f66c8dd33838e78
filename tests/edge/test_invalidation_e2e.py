"""End to end: boto3 creates a CloudFront invalidation on the control API, and each POP
serves fresh content only once its own delay has passed on the manual clock."""

from __future__ import annotations

import asyncio
from typing import Any

import aiohttp
import boto3
from botocore.config import Config

from common.clock import Clock
from tests.edge.conftest import MakeEdge, three_pops_with_shield
from tests.edge.origin_double import OriginDouble
from tests.edge.test_pop_caching import get

DELAYS = {"pop-1": 10.0, "pop-2": 20.0, "pop-3": 30.0, "shield": 5.0}


def cloudfront_client(control_url: str) -> Any:
    return boto3.client(
        "cloudfront",
        endpoint_url=control_url,
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
        config=Config(retries={"max_attempts": 1}),
    )


async def bodies(http: aiohttp.ClientSession, urls: dict[str, str]) -> dict[str, bytes]:
    return {pop: (await get(http, url + "/img/a.png"))[1] for pop, url in urls.items()}


async def test_invalidation_reaches_each_pop_after_its_own_delay(
    origin: OriginDouble, make_edge: MakeEdge, http: aiohttp.ClientSession, clock: Clock
) -> None:
    origin.reply("/img/a.png", headers={"Cache-Control": "max-age=3600"})
    settings = three_pops_with_shield(
        origin.url, invalidation_delays={"kind": "fixed", "seconds": 0, "per_pop": DELAYS}, seed=7
    )
    edge = await make_edge(settings)
    assert await bodies(http, edge.pop_urls) == {p: b"body#1" for p in edge.pop_urls}

    client = cloudfront_client(edge.control_url)
    created = await asyncio.to_thread(
        client.create_invalidation,
        DistributionId=settings.distribution_id,
        InvalidationBatch={
            "Paths": {"Quantity": 1, "Items": ["/img/*"]},
            "CallerReference": "e2e-1",
        },
    )
    invalidation_id = created["Invalidation"]["Id"]
    assert created["Invalidation"]["Status"] == "InProgress"

    expected_after = {
        9: {"pop-1": b"body#1", "pop-2": b"body#1", "pop-3": b"body#1"},
        11: {"pop-1": b"body#2", "pop-2": b"body#1", "pop-3": b"body#1"},
        21: {"pop-1": b"body#2", "pop-2": b"body#2", "pop-3": b"body#1"},
    }
    elapsed = 0
    for at, expected in expected_after.items():
        await clock.advance(at - elapsed)
        elapsed = at
        assert await bodies(http, edge.pop_urls) == expected, f"at +{at}s"
        status = await asyncio.to_thread(
            client.get_invalidation, DistributionId=settings.distribution_id, Id=invalidation_id
        )
        assert status["Invalidation"]["Status"] == "InProgress"

    await clock.advance(31 - elapsed)
    assert await bodies(http, edge.pop_urls) == {p: b"body#2" for p in edge.pop_urls}
    assert origin.count("/img/a.png") == 2  # the shield refilled once for every POP
    status = await asyncio.to_thread(
        client.get_invalidation, DistributionId=settings.distribution_id, Id=invalidation_id
    )
    assert status["Invalidation"]["Status"] == "Completed"
