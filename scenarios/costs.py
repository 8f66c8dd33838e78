"""Rebuild costs, computed from the stack's events between two points: what a change
made the origin and the edge do, and what CloudFront would charge for its invalidations."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

# CloudFront: the first 1,000 invalidation paths a month are free, then $0.005 a path;
# a wildcard path counts as one.
FREE_PATHS_PER_MONTH = 1000
PRICE_PER_PATH = 0.005
COST_EVENTS = ["render", "variant_hit", "variants_deleted", "invalidation_created", "origin_fetch"]


@dataclass(frozen=True)
class Costs:
    variants_invalidated: int  # S3 variants deleted
    renders: int
    render_cpu_seconds: float
    origin_fetches: (
        int  # requests the edge sent to the origin (from the shield, or POPs without one)
    )
    origin_bytes: int  # image bytes the origin served
    invalidation_paths: int

    def row(self) -> list[Any]:
        return [
            self.variants_invalidated,
            self.renders,
            self.origin_fetches,
            self.origin_bytes,
            self.invalidation_paths,
            f"${charge(self.invalidation_paths, already_used=FREE_PATHS_PER_MONTH):.3f}",
        ]


COLUMNS = [
    "variants invalidated",
    "renders",
    "origin fetches",
    "bytes from origin",
    "invalidation paths",
    "CloudFront charge (free tier used up)",
]


def costs(events: list[dict[str, Any]], *, fetching_tier: str) -> Costs:
    """Sum what ``events`` say; origin fetches are counted at ``fetching_tier`` (the shield's
    id, or every POP when there is none: pass "*")."""
    kinds: dict[str, list[dict[str, Any]]] = {kind: [] for kind in COST_EVENTS}
    for event in events:
        if event["kind"] in kinds:
            kinds[event["kind"]].append(event["data"])
    fetches = [
        d for d in kinds["origin_fetch"] if fetching_tier == "*" or d.get("pop") == fetching_tier
    ]
    return Costs(
        variants_invalidated=sum(int(d.get("count", 0)) for d in kinds["variants_deleted"]),
        renders=len(kinds["render"]),
        render_cpu_seconds=round(sum(float(d.get("cpuSeconds", 0.0)) for d in kinds["render"]), 4),
        origin_fetches=len(fetches),
        origin_bytes=sum(int(d.get("outputBytes", 0)) for d in kinds["render"])
        + sum(int(d.get("bytes", 0)) for d in kinds["variant_hit"]),
        invalidation_paths=sum(len(d.get("paths", [])) for d in kinds["invalidation_created"]),
    )


def charge(paths: int, *, already_used: int = 0) -> float:
    """What CloudFront charges for ``paths`` more paths this month after ``already_used``."""
    billable = max(0, already_used + paths - FREE_PATHS_PER_MONTH) - max(
        0, already_used - FREE_PATHS_PER_MONTH
    )
    return round(billable * PRICE_PER_PATH, 3)
