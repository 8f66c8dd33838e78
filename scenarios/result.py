"""What a scenario returns: a verdict, checks, measurements, tables and a timeline of
what each POP served when (simulated seconds since the scenario's start).

The JSON form is what ``--json`` writes and the HTML report draws; only keys starting
with ``wall`` hold wall-clock figures, so two runs with one seed compare equal without them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Verdict = Literal["pass", "fail", "skip", "error"]
State = Literal["fresh", "stale", "error", "other"]


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    expected: str = ""
    measured: str = ""
    detail: str = ""


@dataclass(frozen=True)
class Observation:
    t: float
    lane: str
    state: State
    label: str
    cache: str
    status: int


@dataclass(frozen=True)
class Marker:
    t: float
    kind: str  # tick, write, invalidation_created, invalidation_applied, variants_deleted, phase, fault
    label: str
    lane: str | None = None


@dataclass(frozen=True)
class Table:
    title: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class ScenarioResult:
    name: str
    group: str
    title: str
    verdict: Verdict = "pass"
    reason: str | None = None
    checks: list[Check] = field(default_factory=list)
    measurements: dict[str, Any] = field(default_factory=dict)
    tables: list[Table] = field(default_factory=list)
    lanes: list[str] = field(default_factory=list)
    end: float = 0.0
    observations: list[Observation] = field(default_factory=list)
    markers: list[Marker] = field(default_factory=list)
    wall_seconds: float = 0.0

    @property
    def passed(self) -> bool:
        return self.verdict in ("pass", "skip")

    def settle_verdict(self) -> None:
        if self.verdict in ("pass", "fail"):
            self.verdict = "pass" if self.checks and all(c.ok for c in self.checks) else "fail"
            if not self.checks:
                self.reason = self.reason or "the scenario made no checks"

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "group": self.group,
            "title": self.title,
            "verdict": self.verdict,
            "reason": self.reason,
            "checks": [asdict(c) for c in self.checks],
            "measurements": self.measurements,
            "tables": [asdict(t) for t in self.tables],
            "timeline": {
                "lanes": self.lanes,
                "end": round(self.end, 3),
                "observations": [asdict(o) for o in self.observations],
                "markers": [
                    asdict(m)
                    for m in sorted(self.markers, key=lambda m: (m.t, m.kind, m.lane or ""))
                ],
            },
            "wall_seconds": round(self.wall_seconds, 3),
        }
