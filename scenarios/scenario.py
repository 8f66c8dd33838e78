"""The frame every scenario runs in: an HTTP session to the target, a result to fill,
simulated time counted from the scenario's start, probes that record what a POP served,
and the stack's own events turned into timeline markers at the end.

    async def run(target: Target) -> ScenarioResult:
        async with Scenario(target, NAME, GROUP, TITLE) as sc:
            pack = await sc.sim.create_pack()
            ...
            sc.check("pop-1 turns at the tick plus its delay", ok, expected=..., measured=...)
        return sc.result
"""

from __future__ import annotations

import time
from collections.abc import Callable
from types import TracebackType
from typing import Any, Self

import aiohttp

from scenarios.images import Look, look
from scenarios.result import Check, Marker, Observation, ScenarioResult, State, Table
from scenarios.sim import Reply, Sim, Unsupported
from scenarios.target import Target

# Stack events drawn on the timeline, and how.
MARKER_EVENTS = (
    "aggregator_tick",
    "invalidation_created",
    "invalidation_applied",
    "variants_deleted",
    "variants_kept",
    "location_config_change_ignored",
    "stream_records_dropped",
    "fallback_change_not_invalidated",
)

# Events that show a bug at work are drawn as faults.
BUG_EVENT_MARKERS = {
    "location_config_change_ignored": "fault",
    "stream_records_dropped": "fault",
    "fallback_change_not_invalidated": "fault",
}


class Skip(Exception):
    """The scenario cannot run against this target; the reason says why."""


class Scenario:
    def __init__(
        self, target: Target, name: str, group: str, title: str, *, lanes: list[str] | None = None
    ) -> None:
        self.target = target
        self.result = ScenarioResult(name, group, title, lanes=lanes or list(target.pop_ids))
        self.t0 = 0.0
        self.first_event = 0
        self._session: aiohttp.ClientSession | None = None
        self._wall = time.perf_counter()
        self.sim: Sim
        self.last_reply: Reply | None = None  # what the latest probe got (headers included)

    async def __aenter__(self) -> Self:
        self._session = aiohttp.ClientSession(timeout=aiohttp.ClientTimeout(total=120))
        self.sim = Sim(self.target, self._session)
        await self.sim.connect()
        return self

    async def __aexit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        tb: TracebackType | None,
    ) -> bool:
        result = self.result
        try:
            if isinstance(error, Skip | Unsupported):
                result.verdict, result.reason = "skip", str(error)
            elif error is not None and isinstance(error, Exception):
                result.verdict, result.reason = "error", f"{type(error).__name__}: {error}"
            else:
                result.settle_verdict()
            if self.sim.has_sim and error is None:
                await self._markers_from_events()
        finally:
            result.end = max([result.end, self.t()] + [o.t for o in result.observations])
            result.wall_seconds = time.perf_counter() - self._wall
            assert self._session is not None
            await self._session.close()
        return isinstance(error, Exception)  # the result says what went wrong

    # -- time -----------------------------------------------------------------------
    async def begin(self, *, need_sim: bool = True, need_manual: bool = False) -> None:
        """Start the scenario's clock on an aggregator tick, so that every run of it sees
        the same schedule: t=0 is a tick, the next ones are at ``interval`` multiples."""
        if need_sim and not self.sim.has_sim:
            raise Skip("needs the /_sim control API of a cdnsim stack (cdnsim up)")
        if need_manual and self.sim.mode != "manual":
            raise Skip("needs a manual clock (cdnsim up --clock manual)")
        if self.sim.has_sim:
            await self.sim.advance_to(self.sim.next_tick(self.sim.now()))
            self.first_event = await self.sim.last_event()
        self.t0 = self.sim.now()

    def t(self) -> float:
        return round(self.sim.now() - self.t0, 3)

    async def advance_to(self, t: float) -> None:
        await self.sim.advance_to(self.t0 + t)

    async def advance(self, seconds: float) -> None:
        await self.sim.advance(seconds)

    def tick_after(self, t: float) -> float:
        """The first aggregator tick after scenario time ``t``."""
        return self.sim.next_tick(self.t0 + t) - self.t0

    # -- recording ----------------------------------------------------------------------
    def check(
        self, name: str, ok: bool, *, expected: Any = "", measured: Any = "", detail: str = ""
    ) -> bool:
        self.result.checks.append(Check(name, bool(ok), _text(expected), _text(measured), detail))
        return bool(ok)

    def mark(self, kind: str, label: str, lane: str | None = None, t: float | None = None) -> None:
        self.result.markers.append(Marker(self.t() if t is None else t, kind, label, lane))

    def measure(self, key: str, value: Any) -> None:
        self.result.measurements[key] = value

    def table(self, title: str, columns: list[str], rows: list[list[Any]]) -> None:
        self.result.tables.append(Table(title, columns, rows))

    def header(self, name: str, default: str = "") -> str:
        """A header of what the latest probe got."""
        return self.last_reply.header(name, default) if self.last_reply else default

    async def probe(
        self,
        lane: str,
        path: str,
        classify: Callable[[Look | None, int], State],
        *,
        headers: dict[str, str] | None = None,
        pop: str | None = None,
    ) -> tuple[State, Look | None]:
        """GET ``path`` at a POP (the lane's, unless ``pop`` says), record what it served."""
        reply = await self.sim.get(pop or lane, path, headers)
        self.last_reply = reply
        seen = look(reply.body) if reply.status == 200 else None
        state = classify(seen, reply.status)
        label = seen.label if seen else f"{reply.status}"
        self.result.observations.append(
            Observation(
                self.t(),
                lane,
                state,
                label,
                _cache_word(reply.header("Cache-Status")),
                reply.status,
            )
        )
        return state, seen

    async def _markers_from_events(self) -> None:
        events = await self.sim.events(self.first_event, list(MARKER_EVENTS))
        for event in events:
            t = round(float(event["time"]) - self.t0, 3)
            data, kind = event.get("data", {}), event["kind"]
            if kind == "aggregator_tick":
                self.mark("tick", "aggregator tick", t=t)
            elif kind == "invalidation_created":
                self.mark(kind, f"{event['data']['id']}: {len(data.get('paths', []))} path(s)", t=t)
            elif kind == "invalidation_applied":
                lane = data.get("pop")
                if lane in self.result.lanes:
                    self.mark(kind, f"purged {data.get('purged', 0)}", lane=lane, t=t)
            else:
                self.mark(BUG_EVENT_MARKERS.get(kind, kind), _event_label(kind, data), t=t)


def _event_label(kind: str, data: dict[str, Any]) -> str:
    labels = {
        "variants_deleted": f"S3: {data.get('count', 0)} variant(s) deleted",
        "variants_kept": "S3 variants NOT deleted (bug)",
        "location_config_change_ignored": f"config change of {data.get('location')} ignored (bug)",
        "stream_records_dropped": f"{data.get('count', 0)} stream record(s) dropped (bug)",
        "fallback_change_not_invalidated": f"fallback of {data.get('location')} changed: "
        "not a trigger (seeds)",
    }
    return labels.get(kind, kind)


def cache_ttl(cache_status: str) -> float:
    """The ``ttl`` the answering cache (the last Cache-Status member) gave its copy, in
    seconds (RFC 9211 §2.5); 0 when it gave none."""
    last = cache_status.split(",")[-1] if cache_status else ""
    for part in last.split(";"):
        if part.strip().startswith("ttl="):
            try:
                return float(part.strip()[4:])
            except ValueError:
                return 0.0
    return 0.0


def _cache_word(cache_status: str) -> str:
    """hit, miss, stale, collapsed… from a Cache-Status header (RFC 9211)."""
    params = cache_status.split(",")[0].split(";")[1:] if cache_status else []
    words = [p.strip() for p in params]
    if "hit" in words:
        return "hit"
    for word in words:
        if word.startswith("fwd="):
            return word.removeprefix("fwd=")
    return "?"


def _text(value: Any) -> str:
    if isinstance(value, float):
        return f"{value:g}"
    if value is None:
        return "never"
    return str(value)
