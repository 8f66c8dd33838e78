"""Sampling a running stack and the CPU of local processes while a load test runs.

The stack's control API gives every POP's cumulative counters and the event log; a
sample holds the counters, the count of each event kind of interest that appeared since
the previous sample, and the CPU seconds those renders took. CPU time of local process
trees is read from /proc (Linux), so that no extra package is needed.
"""

from __future__ import annotations

import os
import time
from pathlib import Path
from typing import Any

import aiohttp

# Event kinds a load report counts (origin renders, edge invalidations, aggregator work).
KINDS = (
    "render",
    "render_failed",
    "location_config_saved",
    "variants_deleted",
    "invalidation_created",
    "invalidation_applied",
    "invalidation_completed",
    "aggregator_flush_started",
)
PAGE = 10_000


class StackSampler:
    """Reads ``control`` (the stack's control API) into samples; call :meth:`start` once."""

    def __init__(self, session: aiohttp.ClientSession, control: str) -> None:
        self.session = session
        self.control = control.rstrip("/")
        self.pops: list[dict[str, Any]] = []
        self.since = 0
        self.missed = 0  # events that left the stack's log before this sampler read them

    async def _get(self, path: str) -> Any:
        async with self.session.get(self.control + path) as response:
            body = await response.json()
            if response.status != 200:
                raise RuntimeError(f"GET {path} answered {response.status}: {body}")
            return body

    async def start(self) -> None:
        """Learn the POPs, and skip every event logged before now."""
        self.pops = (await self._get("/_edge/pops"))["pops"]
        await self._new_events()

    async def _new_events(self) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        while True:
            page = await self._get(
                f"/_edge/events?since={self.since}&kind={','.join(KINDS)}&limit={PAGE}"
            )
            found += page["events"]
            self.missed += page.get("missed", 0)
            if len(page["events"]) == PAGE:
                self.since = page["last"]
                continue
            # "newest" (when the stack gives it) lets the next read skip the hits in between.
            self.since = max(page["last"], page.get("newest", 0))
            return found

    async def sample(self) -> dict[str, Any]:
        t = time.time()
        pops = {}
        for pop in self.pops:
            stats = await self._get(f"/_edge/pops/{pop['id']}/stats")
            pops[pop["id"]] = {
                "role": pop["role"],
                **{k: v for k, v in stats.items() if isinstance(v, int)},
            }
        events = await self._new_events()
        return {"t": t, "pops": pops, **count_events(events), "events_missed": self.missed}


def count_events(events: list[dict[str, Any]]) -> dict[str, Any]:
    """Per kind counts, the render CPU they report, and forced location changes."""
    counts: dict[str, int] = {}
    cpu = 0.0
    for event in events:
        counts[event["kind"]] = counts.get(event["kind"], 0) + 1
        if event["kind"] == "render":
            cpu += float(event["data"].get("cpuSeconds", 0.0))
        if event["kind"] == "location_config_saved" and event["data"].get("forced"):
            counts["forced_change"] = counts.get("forced_change", 0) + 1
    return {"events": counts, "render_cpu_s": cpu}


_TICKS = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> tuple[int, float] | None:
    """(parent pid, CPU seconds) of a process, or None when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return None
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICKS  # ppid, utime + stime


def process_tree_cpu(root: int) -> dict[str, float]:
    """CPU seconds of ``root`` and each of its descendants still alive, by pid."""
    parents: dict[int, int] = {}
    cpu: dict[int, float] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (stat := _stat(int(entry.name))) is not None:
            parents[int(entry.name)], cpu[int(entry.name)] = stat
    tree, frontier = {root}, [root]
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    while frontier:
        for child in children.get(frontier.pop(), []):
            if child not in tree:
                tree.add(child)
                frontier.append(child)
    return {str(pid): cpu[pid] for pid in tree if pid in cpu}
