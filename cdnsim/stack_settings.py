"""What a whole in-process stack is made of (:class:`StackSettings`), and the edge it
describes: the POPs, the shield and the Vimond behaviours in front of the origin."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cdnsim.switches import accept_in_key
from common.events import DEFAULT_MAX_BYTES
from common.serving import ConnectionLimits
from edge.config import EdgeSettings, PopSettings, ShieldSettings, vimond_behaviors
from origin.settings import OriginSettings
from vendors.registry import PLUGINS

PLATFORM_OFFSET = 3  # with --port-base N, the platform API listens on N+3


def every_vendor() -> dict[str, Any]:
    """Every registered vendor with its default options."""
    return dict.fromkeys(PLUGINS)


@dataclass(frozen=True)
class StackSettings:
    origin: OriginSettings
    pops: int = 3
    shield: bool = True
    profile: str = "cloudfront"
    # 0: free ports; N: origin N, control N+1, shield N+2, platform N+3, POPs N+10…
    # (vendors: Akamai N+5…N+7, imgix N+8, N+9)
    port_base: int = 0
    edge_cache_dir: Path | None = None  # None: in-memory POP caches
    invalidation_delays: dict[str, Any] | None = None  # None: the profile's default
    demo: bool = False
    seed: int | None = None
    # The vendors beside the edge, by name, with their options (None: the vendor's defaults).
    vendors: Mapping[str, Any] = field(default_factory=every_vendor)
    connections: ConnectionLimits = field(default_factory=ConnectionLimits)  # every server's
    event_log_bytes: int = DEFAULT_MAX_BYTES  # the memory the shared event log may hold
    workers: int = 1  # processes per POP (edge.worker_pool); more than 1 needs a real clock
    origin_workers: int = 1  # origin processes on the origin's port (cdnsim.origin_workers)

    def __post_init__(self) -> None:
        unknown = sorted(set(self.vendors) - set(PLUGINS))
        if unknown:
            raise ValueError(f"unknown vendor {unknown[0]!r}; known: {', '.join(PLUGINS)}")

    def port(self, offset: int) -> int:
        return self.port_base + offset if self.port_base else 0


def edge_settings(s: StackSettings, origin_url: str) -> EdgeSettings:
    """The edge of stack ``s``, in front of the origin at ``origin_url``."""
    pops = tuple(
        PopSettings(
            f"pop-{i + 1}",
            port=s.port(10 + i),
            cache_dir=_cache_dir(s, f"pop-{i + 1}"),
            workers=s.workers,
        )
        for i in range(s.pops)
    )
    shield = ShieldSettings(port=s.port(2), cache_dir=_cache_dir(s, "shield")) if s.shield else None
    edge = vimond_behaviors(
        origin_url,
        connections=s.connections,
        profile=s.profile,
        pops=pops,
        shield=shield,
        control_port=s.port(1),
        invalidation_delays=s.invalidation_delays,
        seed=s.seed,
    )
    return accept_in_key(edge, s.origin.negotiate_format and s.origin.vary_on_negotiation)


def _cache_dir(s: StackSettings, pop_id: str) -> str | None:
    return str(s.edge_cache_dir / pop_id) if s.edge_cache_dir else None
