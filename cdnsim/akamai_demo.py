"""The demo Akamai Image Manager property of ``cdnsim up --demo``: pristine images from
the stack's own origin (its ``/api/v2/img/{pack}`` main images), policies on staging and
production, delivered through every POP under ``/akamai/demo`` (staging:
``/akamai-staging/demo``)."""

from __future__ import annotations

from typing import Any

from common.clock import Clock
from common.events import EventLog
from common.serving import DEFAULT_LIMITS, ConnectionLimits
from vendors.akamai import ImageManager, PropertySettings

DEMO_LUNA_TOKEN = "akab-cdnsim-demo-022335"
DEMO_PREFIX = "/akamai/demo"
STAGING_PREFIX = "/akamai-staging/demo"
PORT_OFFSETS = (5, 6, 7)  # with --port-base N: API N+5, staging API N+6, transformer N+7


def demo_image_manager(
    origin_url: str,
    clock: Clock,
    events: EventLog,
    port_base: int,
    *,
    limits: ConnectionLimits = DEFAULT_LIMITS,
) -> ImageManager:
    prop = PropertySettings("demo", DEMO_LUNA_TOKEN, origin_url, path_prefix=DEMO_PREFIX,
                            hosts=("images.cdnsim.test",))  # fmt: skip
    api, staging, transformer = (port_base + o if port_base else 0 for o in PORT_OFFSETS)
    return ImageManager([prop], clock=clock, events=events, api_port=api, staging_api_port=staging,
                        transformer_port=transformer, limits=limits)  # fmt: skip


def akamai_ready(im: ImageManager, pop_url: str, sample_path: str) -> dict[str, Any]:
    """The ready file's ``akamai`` entry."""
    return {
        "api": im.api_url,
        "staging_api": im.staging_api_url,
        "luna_token": DEMO_LUNA_TOKEN,
        "delivery": pop_url + DEMO_PREFIX,
        "staging_delivery": pop_url + STAGING_PREFIX,
        "sample_path": sample_path,
        "transformer": im.transformer_url,
    }
