"""``cdnsim bench fanout``: the cost of applying one invalidation on every POP.

Three POPs (the edge's own Pop, MemoryStore and InvalidationService, in this process, no
HTTP) each hold ``--objects`` cached image variants (``--variants`` per pack). One
invalidation of ``--paths`` pack wildcards (``/api/v2/img/PACK*``, what the aggregator
sends) is applied with no propagation delay; wall time and CPU time are measured, with
the objects removed per POP.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import time
from pathlib import Path
from typing import Any

from cdnsim.usage import at_least
from common.clock import Clock
from common.events import EventLog
from edge.config import vimond_behaviors
from edge.invalidation import InvalidationLimits, InvalidationService
from edge.invalidation.delays import DelayModel
from edge.pop import Pop
from edge.rules.decision import Freshness
from edge.rules.freshness import AgeInputs
from edge.store import MemoryStore
from edge.store.base import Entry


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--pops", type=at_least(1), default=3)
    parser.add_argument(
        "--objects", type=at_least(1), default=100_000, help="cached objects per POP"
    )
    parser.add_argument("--variants", type=at_least(1), default=10, help="variants per pack")
    parser.add_argument(
        "--paths", type=at_least(1), default=1000, help="pack wildcards in the invalidation"
    )


def _entry(uri: str, body: bytes) -> Entry:
    freshness = Freshness(AgeInputs(0.0, 0.0, 0.0, 0.0), ttl=86400.0)
    return Entry(uri, uri, 200, (("Content-Type", "image/jpeg"),), body, freshness, 0.0)


async def measure(pops: int, objects: int, variants: int, paths: int) -> dict[str, Any]:
    """Fill the POPs, apply the invalidation, return the figures."""
    clock, events = Clock.manual(), EventLog(Clock.manual(), max_events=10_000)
    settings = vimond_behaviors("http://127.0.0.1:9")
    packs = max(1, objects // variants)
    body = b"x" * 64
    targets = []
    for index in range(pops):
        store = MemoryStore()
        for pack in range(packs):
            for width in range(variants):
                uri = f"/api/v2/img/pack{pack:07d}?location=main&width={100 + width}"
                await store.put(uri, _entry(uri, body))
        targets.append(Pop(f"pop-{index + 1}", settings, store, clock, events))
    limits = InvalidationLimits(
        max_paths_per_batch=max(3000, paths), max_wildcards_in_progress=max(15, paths)
    )
    service = InvalidationService(clock, events, targets, DelayModel.fixed(0.0), distribution_id="EBENCH",
                                  seed=1, limits=limits)  # fmt: skip
    patterns = [f"/api/v2/img/pack{pack:07d}*" for pack in range(0, packs, max(1, packs // paths))][
        :paths
    ]
    cpu, wall = time.process_time(), time.perf_counter()
    await service.purge(patterns, "bench-fanout")
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    purged = [e.data["purged"] for e in events.read(kinds=["invalidation_applied"])]
    return {
        "pops": pops,
        "objects_per_pop": packs * variants,
        "paths": len(patterns),
        "purged_per_pop": purged,
        "wall_s": round(wall, 3),
        "cpu_s": round(cpu, 3),
        "path_checks": pops * packs * variants * len(patterns),
        "remaining_per_pop": [len(t.store) for t in targets],  # type: ignore[arg-type]
    }


def run(args: argparse.Namespace) -> int:
    result = asyncio.run(measure(args.pops, args.objects, args.variants, args.paths))
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"invalidation fan-out: {result['paths']} paths on {result['pops']} POPs holding "
          f"{result['objects_per_pop']:,} objects each: {result['wall_s']:g} s wall, {result['cpu_s']:g} s CPU, "
          f"purged {result['purged_per_pop']} per POP. JSON: {args.output}")  # fmt: skip
    return 0 if all(p > 0 for p in result["purged_per_pop"]) else 1
