"""imgix in the stack: the service on the edge, and with ``--demo`` one S3 source holding one
image, plus the ready file's ``imgix`` keys (``api``, ``api_key``, ``restricted_key``,
``source_id``, ``delivery``, and ``sample_path``)."""

from __future__ import annotations

import asyncio
import random
import string
from typing import Any

import aiohttp

from cdnsim.imgix_config import ImgixOptions
from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits
from origin.storage import Storage
from vendors.imgix.api_keys import ApiKey
from vendors.imgix.backend import ImgixSettings
from vendors.imgix.service import ImgixService

DEMO_BUCKET = "cdnsim-imgix-demo"
SAMPLE_PATH = "/demo/sample.jpg"
SUBDOMAIN = "demo"


def imgix_service(
    storage: Storage,
    clock: Clock,
    events: EventLog,
    seed: int | None,
    options: ImgixOptions | None = None,
    *,
    limits: ConnectionLimits = DEFAULT_LIMITS,
) -> ImgixService:
    """The service with two keys: every permission, and Sources only (deterministic with a
    seed), then the ``options``' own keys."""
    rng = random.Random(f"{seed}:imgix-keys") if seed is not None else random.SystemRandom()
    admin, restricted = (
        "".join(rng.choices(string.ascii_letters + string.digits, k=40)) for _ in range(2)
    )
    keys = (
        ApiKey(admin, frozenset({"Account Admin"}), "demo-admin"),
        ApiKey(restricted, frozenset({"Sources"}), "demo-sources"),
    )
    o = options or ImgixOptions()
    settings = ImgixSettings(
        keys + o.api_keys,
        rate=o.rate,
        deploy_seconds=o.deploy_seconds,
        origin_hosts=o.origin_hosts,
        s3_endpoint=storage.s3.meta.endpoint_url,
        s3_region=storage.settings.region,
        purge_window=o.purge_window,
        seed=seed,
        api_port=o.api_port,
    )
    return ImgixService(settings, clock=clock, events=events, limits=limits)


async def seed_imgix_demo(service: ImgixService, storage: Storage, pop_url: str) -> dict[str, Any]:
    """One deployed S3 source with one image; the ready file's ``imgix`` document."""
    from cdnsim.demo import demo_image

    def put() -> None:
        existing = {b["Name"] for b in storage.s3.list_buckets().get("Buckets", [])}
        if DEMO_BUCKET not in existing:
            storage.s3.create_bucket(Bucket=DEMO_BUCKET)
        storage.s3.put_object(
            Bucket=DEMO_BUCKET,
            Key=SAMPLE_PATH.lstrip("/"),
            ContentType="image/jpeg",
            Body=demo_image((40, 110, 180), "imgix demo"),
        )

    await asyncio.to_thread(put)
    admin, restricted = (k.key for k in service.settings.api_keys[:2])
    access = storage.settings.access_key_id or "testing"
    secret = storage.settings.secret_access_key or "testing"
    body = {
        "data": {
            "type": "sources",
            "attributes": {
                "name": "cdnsim demo",
                "deployment": {
                    "type": "s3",
                    "s3_bucket": DEMO_BUCKET,
                    "s3_access_key": access,
                    "s3_secret_key": secret,
                    "imgix_subdomains": [SUBDOMAIN],
                    "default_params": {"auto": "format"},
                },
            },
        }
    }
    headers = {"Authorization": f"Bearer {admin}", "Content-Type": "application/vnd.api+json"}
    async with (
        aiohttp.ClientSession() as session,
        session.post(f"{service.api_url}/api/v1/sources", json=body, headers=headers) as response,
    ):
        doc = await response.json(content_type=None)
        if response.status != 201:
            raise RuntimeError(f"the imgix demo source was refused: {doc}")
    return {
        "api": service.api_url,
        "api_key": admin,
        "restricted_key": restricted,
        "source_id": doc["data"]["id"],
        "delivery": f"{pop_url}/imgix/{SUBDOMAIN}",
        "sample_path": SAMPLE_PATH,
    }
